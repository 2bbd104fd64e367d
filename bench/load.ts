/**
 * The load generator, run as a child process (bench/run.ts forks it), so autocannon's own CPU
 * never shares an event loop with the server it measures. Reads one job file, runs autocannon,
 * sends the summary back over IPC.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { MixKind, MixKindStats, runMix } from './mix';

export type Scenario = 'ceiling' | 'feed' | 'feed_key' | 'search' | 'bid' | 'mix';

export interface LoadJob {
  scenario: Scenario;
  baseUrl: string;
  connections: number;
  duration: number;
  /** Expert access tokens, rotated per request (feed, search) or picked by a bid pair. */
  tokens: string[];
  terms: string[];
  /** [requestId, index into tokens, currency]: each a fresh (expert, request) pair, used once. */
  pairs: Array<[string, number, string]>;
  /** feed_key: a partner's key, acting for `actingFor` (its experts, rotated per request). */
  apiKey?: string;
  actingFor?: string[];
  /** mix: request ids to read, bids to accept (with their customer's token), and where to pay. */
  mix?: { details: string[]; accepts: Array<[string, string]>; sandboxUrl: string; publishableKey: string };
}

export interface LoadSummary {
  scenario: Scenario;
  requestsPerSecond: number;
  total: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Bid pairs handed out beyond the list (they repeat, so expect 409s). */
  pairsExhausted: boolean;
  /** Requests built (setupRequest calls): how many bid pairs this run used. */
  consumed: number;
  /** mix: accepts used, and latency and statuses per kind of request. */
  acceptsConsumed?: number;
  kinds?: Partial<Record<MixKind, MixKindStats>>;
}

type Req = autocannon.RequestSpec;

function requestFactory(job: LoadJob): { method: string; path: string; setupRequest?: (req: Req) => Req } & { exhausted(): boolean; consumed(): number } {
  let i = 0;
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  switch (job.scenario) {
    case 'ceiling':
      return { method: 'GET', path: '/bench/ceiling', exhausted: () => false, consumed: () => 0 };
    case 'feed':
      return {
        method: 'GET',
        path: '/v1/experts/me/feed',
        setupRequest: (req) => ({ ...req, headers: auth(job.tokens[i++ % job.tokens.length]) }),
        exhausted: () => false,
        consumed: () => i,
      };
    case 'feed_key': {
      const acting = job.actingFor ?? [];
      return {
        method: 'GET',
        path: '/v1/experts/me/feed',
        setupRequest: (req) => ({ ...req, headers: { 'x-api-key': job.apiKey ?? '', 'x-on-behalf-of': acting[i++ % acting.length] } }),
        exhausted: () => false,
        consumed: () => i,
      };
    }
    case 'search':
      return {
        method: 'GET',
        path: '/v1/requests',
        setupRequest: (req) => {
          const n = i++;
          const term = job.terms[n % job.terms.length];
          return { ...req, path: `/v1/requests?q=${encodeURIComponent(term)}`, headers: auth(job.tokens[(n * 7) % job.tokens.length]) };
        },
        exhausted: () => false,
        consumed: () => i,
      };
    case 'mix':
      throw new Error('the mix runs its own loop (bench/mix.ts)');
    case 'bid':
      return {
        method: 'POST',
        path: '/v1/requests',
        setupRequest: (req) => {
          const [requestId, tokenIndex, currency] = job.pairs[i++ % job.pairs.length];
          return {
            ...req,
            method: 'POST',
            path: `/v1/requests/${requestId}/bids`,
            headers: { ...auth(job.tokens[tokenIndex]), 'content-type': 'application/json' },
            body: JSON.stringify({
              amount: { amount: 500, currency },
              etaMinutes: 60,
              message: 'I can fix this over a remote session within the hour.',
            }),
          };
        },
        exhausted: () => i > job.pairs.length,
        consumed: () => i,
      };
  }
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadJob;
  if (job.scenario === 'mix') {
    process.send?.(await runMix(job));
    return;
  }
  const factory = requestFactory(job);
  const result = await autocannon({
    url: job.baseUrl,
    connections: job.connections,
    duration: job.duration,
    timeout: 30,
    // autocannon calls setupRequest for every request it sends (a fresh token, term or pair each time).
    requests: [
      factory.setupRequest
        ? { method: factory.method, path: factory.path, setupRequest: factory.setupRequest }
        : { method: factory.method, path: factory.path },
    ],
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = Number((stat as { count: number }).count);
  const summary: LoadSummary = {
    scenario: job.scenario,
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    pairsExhausted: factory.exhausted(),
    consumed: factory.consumed(),
  };
  process.send?.(summary);
}

main().catch((err) => {
  process.stderr.write(`bench load: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

/**
 * The read-mostly mix (issue 11, item 5): `connections` callers, each sending its next request as
 * soon as the last one answers. Of every 20 requests: 8 feed, 4 search, 4 request detail (80 %
 * reads), 3 bid creations (15 %), 1 accept that the customer then pays at the Stripe sandbox
 * (5 %: the accept, then the PaymentIntent confirm, which makes the sandbox send
 * payment_intent.succeeded back to the app). autocannon cannot chain a confirm onto an accept's
 * answer, so this loop uses node:http with one keep-alive socket per caller.
 */
import { Agent, request } from 'node:http';
import type { LoadJob, LoadSummary } from './load';

export type MixKind = 'feed' | 'search' | 'detail' | 'bid' | 'accept' | 'confirm';

/** Slot (request number mod 20) → what it sends. */
const PLAN: MixKind[] = [
  ...Array<MixKind>(8).fill('feed'),
  ...Array<MixKind>(4).fill('search'),
  ...Array<MixKind>(4).fill('detail'),
  ...Array<MixKind>(3).fill('bid'),
  'accept',
];

export interface MixKindStats {
  count: number;
  p50: number;
  p99: number;
  statusCodes: Record<string, number>;
}

interface Answer {
  status: number;
  body: string;
}

function send(agent: Agent, base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = request(new URL(path, base), { method, agent, headers: body ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', fail);
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : 0);

export async function runMix(job: LoadJob): Promise<LoadSummary> {
  const mix = job.mix!;
  const app = new Agent({ keepAlive: true, maxSockets: job.connections });
  const sandbox = new Agent({ keepAlive: true, maxSockets: job.connections });
  const latencies: Record<MixKind, number[]> = { feed: [], search: [], detail: [], bid: [], accept: [], confirm: [] };
  const codes: Record<MixKind, Record<string, number>> = { feed: {}, search: {}, detail: {}, bid: {}, accept: {}, confirm: {} };
  let errors = 0;
  let next = 0;
  let nextPair = 0;
  let nextAccept = 0;
  let exhausted = false;
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const timed = async (kind: MixKind, call: () => Promise<Answer>): Promise<Answer | undefined> => {
    const started = performance.now();
    try {
      const answer = await call();
      latencies[kind].push(performance.now() - started);
      codes[kind][answer.status] = (codes[kind][answer.status] ?? 0) + 1;
      return answer;
    } catch {
      errors++;
      return undefined;
    }
  };
  const one = async (n: number): Promise<void> => {
    let kind = PLAN[n % PLAN.length];
    if ((kind === 'bid' && nextPair >= job.pairs.length) || (kind === 'accept' && nextAccept >= mix.accepts.length)) {
      exhausted = true;
      kind = 'detail';
    }
    const token = job.tokens[(n * 7) % job.tokens.length];
    switch (kind) {
      case 'feed':
        await timed(kind, () => send(app, job.baseUrl, 'GET', '/v1/experts/me/feed', auth(token)));
        return;
      case 'search':
        await timed(kind, () => send(app, job.baseUrl, 'GET', `/v1/requests?q=${encodeURIComponent(job.terms[n % job.terms.length])}`, auth(token)));
        return;
      case 'detail':
        await timed(kind, () => send(app, job.baseUrl, 'GET', `/v1/requests/${mix.details[n % mix.details.length]}`, auth(token)));
        return;
      case 'bid': {
        const [requestId, tokenIndex, currency] = job.pairs[nextPair++];
        const body = JSON.stringify({ amount: { amount: 500, currency }, etaMinutes: 60, message: 'I can fix this over a remote session within the hour.' });
        await timed(kind, () => send(app, job.baseUrl, 'POST', `/v1/requests/${requestId}/bids`, { ...auth(job.tokens[tokenIndex]), 'content-type': 'application/json' }, body));
        return;
      }
      default: {
        const [bidId, customerToken] = mix.accepts[nextAccept++];
        const accepted = await timed('accept', () => send(app, job.baseUrl, 'POST', `/v1/bids/${bidId}/accept`, auth(customerToken)));
        if (!accepted || accepted.status >= 300) return;
        const { escrow } = JSON.parse(accepted.body) as { escrow: { paymentIntentId?: string; clientSecret?: string } };
        if (!escrow.paymentIntentId || !escrow.clientSecret) return;
        const form = new URLSearchParams({ payment_method: 'pm_card_visa', client_secret: escrow.clientSecret }).toString();
        await timed('confirm', () =>
          send(sandbox, mix.sandboxUrl, 'POST', `/v1/payment_intents/${escrow.paymentIntentId}/confirm`, {
            authorization: `Bearer ${mix.publishableKey}`,
            'content-type': 'application/x-www-form-urlencoded',
          }, form),
        );
      }
    }
  };
  const deadline = Date.now() + job.duration * 1000;
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (Date.now() < deadline) await one(next++);
    }),
  );
  app.destroy();
  sandbox.destroy();

  const all = Object.values(latencies).flat().sort((a, b) => a - b);
  const statusCodes: Record<string, number> = {};
  const kinds: Partial<Record<MixKind, MixKindStats>> = {};
  for (const kind of Object.keys(latencies) as MixKind[]) {
    const sorted = latencies[kind].sort((a, b) => a - b);
    for (const [code, count] of Object.entries(codes[kind])) statusCodes[code] = (statusCodes[code] ?? 0) + count;
    if (sorted.length) kinds[kind] = { count: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), statusCodes: codes[kind] };
  }
  const non2xx = Object.entries(statusCodes).reduce((sum, [code, count]) => sum + (code.startsWith('2') ? 0 : count), 0);
  return {
    scenario: 'mix',
    requestsPerSecond: all.length / job.duration,
    total: all.length,
    p50: percentile(all, 0.5),
    p99: percentile(all, 0.99),
    non2xx,
    errors,
    timeouts: 0,
    statusCodes,
    pairsExhausted: exhausted,
    consumed: nextPair,
    acceptsConsumed: nextAccept,
    kinds,
  };
}

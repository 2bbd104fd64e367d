import { randomUUID } from 'node:crypto';

export interface Actor {
  id: string;
  auth: string;
  /** A partner's user: the partner calls for it with its key and X-On-Behalf-Of, instead of `auth`. */
  headers?: Record<string, string>;
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  /**
   * The first try lost its connection (a server was killed under it) and a retry answered: a
   * 409/422 then may mean the first try did the work. The caller checks the state.
   */
  afterLostConnection: boolean;
}

export interface CallOptions {
  as?: Actor;
  body?: unknown;
  /** The Idempotency-Key of a POST (a fresh one by default): the same on every retry. */
  key?: string;
}

/** 5xx answers: none is expected (L2), each is reported. */
export interface ServerError {
  method: string;
  path: string;
  status: number;
  code: string;
}

const RETRY_FOR_MS = 120_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The API as a careful client uses it with two server processes behind it: calls alternate
 * between them; a refused or dropped connection goes to the other at once, and every retry of a
 * POST carries the same Idempotency-Key — so a server killed mid-request costs a retry, never a
 * second effect. 409 idempotency_key_in_use (the dead process's claim, until its lease ends) and
 * 429 are waited out; a 5xx is recorded and retried.
 */
export class Api {
  readonly serverErrors: ServerError[] = [];
  /** POSTs whose first try lost its connection, with the answer the retry got (the first may have done the work). */
  readonly retriedAfterLoss: Array<{ method: string; path: string; status: number; code: string }> = [];
  readonly counts = { calls: 0, connectionsLost: 0, inUseWaits: 0, rateLimited: 0 };
  private next = 0;
  private readonly downUntil = new Map<string, number>();

  constructor(private readonly bases: () => string[]) {}

  async call<T = Record<string, unknown>>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
    const key = method === 'POST' && !path.startsWith('/v1/auth/') ? (options.key ?? `chaos-${randomUUID()}`) : undefined;
    const headers: Record<string, string> = {
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
      ...(options.as && (options.as.headers ?? { authorization: options.as.auth })),
      ...(key && { 'idempotency-key': key }),
    };
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const until = Date.now() + RETRY_FOR_MS;
    let lost = false;
    for (let attempt = 0; ; attempt++) {
      const base = this.pick();
      let response: Response;
      this.counts.calls += 1;
      try {
        response = await fetch(`${base}${path}`, { method, headers, body, signal: AbortSignal.timeout(30_000) });
      } catch (err) {
        // Refused, reset or timed out: that process is down (or was killed under this call).
        this.counts.connectionsLost += 1;
        lost = true;
        this.downUntil.set(base, Date.now() + 1000);
        if (Date.now() > until) throw new Error(`${method} ${path}: no server answered (${(err as Error).message})`, { cause: err });
        await sleep(attempt === 0 ? 0 : 200);
        continue;
      }
      const text = await response.text();
      const parsed = (text ? JSON.parse(text) : {}) as T & { error?: { code?: string } };
      const code = parsed.error?.code ?? '';
      if (Date.now() < until) {
        if (response.status === 409 && code === 'idempotency_key_in_use') {
          this.counts.inUseWaits += 1;
          await sleep(1000);
          continue;
        }
        if (response.status === 429) {
          this.counts.rateLimited += 1;
          await sleep(1000 * Math.min(5, Number(response.headers.get('retry-after') ?? 1)));
          continue;
        }
        if (response.status >= 500) {
          this.serverErrors.push({ method, path, status: response.status, code });
          await sleep(500);
          continue;
        }
      }
      if (lost && method === 'POST') this.retriedAfterLoss.push({ method, path, status: response.status, code });
      return { status: response.status, body: parsed, afterLostConnection: lost };
    }
  }

  /** The call, which must answer one of `expected`; anything else throws with the answer. */
  async expect<T = Record<string, unknown>>(expected: number[], method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
    const answer = await this.call<T>(method, path, options);
    if (!expected.includes(answer.status)) throw new Error(`${method} ${path} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    return answer;
  }

  private pick(): string {
    const bases = this.bases();
    for (let i = 0; i < bases.length; i++) {
      const base = bases[this.next++ % bases.length];
      if ((this.downUntil.get(base) ?? 0) <= Date.now()) return base;
    }
    return bases[this.next++ % bases.length];
  }
}

import { escapeRegex, matchesType } from './events';

/**
 * How a faulted request fails:
 * - 500/502/503: Stripe's api_error envelope with that status (the SDK retries 5xx, then throws StripeAPIError);
 * - 429: rate_limit error (StripeRateLimitError);
 * - 'timeout': the request is read and then never answered, so the client's timeout fires;
 * - 'reset': the TCP connection is reset (the SDK sees ECONNRESET → StripeConnectionError).
 */
export type FaultKind = 500 | 502 | 503 | 429 | 'timeout' | 'reset';

export interface FailNextOptions {
  status?: FaultKind;
  /** How many matching requests fail (default 1; Infinity = until clear()). The SDK's retries count. */
  count?: number;
  /**
   * Process the request first (its effects happen and its idempotent response is saved), then
   * lose the response: "Stripe did it, we never heard back". Default false: nothing happens.
   */
  applyFirst?: boolean;
}

export interface RefuseNextOptions {
  /** Stripe's error code, e.g. 'charge_not_refundable'; none by default. */
  code?: string;
  message?: string;
  /** 400 (invalid_request_error, default) or 402 (card_error). */
  status?: 400 | 402;
  /** How many matching requests are refused (default 1). */
  count?: number;
}

export interface FaultControl {
  /**
   * Fail the next `count` requests whose path matches: an exact path ('/v1/refunds'), a glob
   * ('/v1/payment_intents/*' — `*` matches anything, slashes included), optionally prefixed with
   * a method ('POST /v1/transfers'), or a RegExp tested against 'METHOD /path'.
   */
  failNext(pathPattern: string | RegExp, options?: FailNextOptions): void;
  /**
   * Refuse the next `count` matching requests the way Stripe refuses a request it has started
   * to execute: a 400 (or 402) in Stripe's error shape, saved under the idempotency key, so the
   * same key replays the refusal and only a new key tries again. Nothing is created.
   */
  refuseNext(pathPattern: string | RegExp, options?: RefuseNextOptions): void;
  /** Create the next `count` matching events (visible in /v1/events) but never deliver them. */
  dropWebhooks(typePattern: string | RegExp, count?: number): void;
  clear(): void;
  /** What is still armed, for assertions and GET /sandbox/faults. */
  pending(): {
    requests: { pattern: string; status: FaultKind; remaining: number; applyFirst: boolean }[];
    refusals: { pattern: string; status: number; code: string | null; remaining: number }[];
    webhooks: { pattern: string; remaining: number }[];
  };
}

export interface Refusal {
  status: 400 | 402;
  code: string | undefined;
  message: string;
}

interface RequestFault {
  pattern: string | RegExp;
  status: FaultKind;
  remaining: number;
  applyFirst: boolean;
}

interface WebhookDrop {
  pattern: string | RegExp;
  remaining: number;
}

export interface ArmedFault {
  status: FaultKind;
  applyFirst: boolean;
}

function matchesRequest(pattern: string | RegExp, method: string, path: string): boolean {
  const target = `${method} ${path}`;
  if (pattern instanceof RegExp) return pattern.test(target);
  const hasMethod = /^[A-Z]+ /.test(pattern);
  const subject = hasMethod ? target : path;
  if (!pattern.includes('*')) return pattern === subject;
  return new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`).test(subject);
}

const VALID: FaultKind[] = [500, 502, 503, 429, 'timeout', 'reset'];

export class Faults implements FaultControl {
  private requests: RequestFault[] = [];
  private refusals: (Refusal & { pattern: string | RegExp; remaining: number })[] = [];
  private webhooks: WebhookDrop[] = [];

  failNext(pathPattern: string | RegExp, options: FailNextOptions = {}): void {
    const status = options.status ?? 500;
    if (!VALID.includes(status)) throw new Error(`Unsupported fault status ${String(status)}; use one of ${VALID.join(', ')}`);
    const count = options.count ?? 1;
    this.requests.push({ pattern: pathPattern, status, remaining: count, applyFirst: options.applyFirst ?? false });
  }

  refuseNext(pathPattern: string | RegExp, options: RefuseNextOptions = {}): void {
    const status = options.status ?? 400;
    if (status !== 400 && status !== 402) throw new Error(`Unsupported refusal status ${String(status)}; use 400 or 402`);
    const message = options.message ?? 'The request was refused (sandbox fault injected by the test).';
    this.refusals.push({ pattern: pathPattern, status, code: options.code, message, remaining: options.count ?? 1 });
  }

  dropWebhooks(typePattern: string | RegExp, count = 1): void {
    this.webhooks.push({ pattern: typePattern, remaining: count });
  }

  clear(): void {
    this.requests = [];
    this.refusals = [];
    this.webhooks = [];
  }

  pending() {
    return {
      requests: this.requests.map((f) => ({ pattern: String(f.pattern), status: f.status, remaining: f.remaining, applyFirst: f.applyFirst })),
      refusals: this.refusals.map((r) => ({ pattern: String(r.pattern), status: r.status, code: r.code ?? null, remaining: r.remaining })),
      webhooks: this.webhooks.map((w) => ({ pattern: String(w.pattern), remaining: w.remaining })),
    };
  }

  /** Consumes one armed fault matching this request, if any. */
  takeRequestFault(method: string, path: string): ArmedFault | undefined {
    const fault = this.requests.find((f) => f.remaining > 0 && matchesRequest(f.pattern, method, path));
    if (!fault) return undefined;
    fault.remaining -= 1;
    this.requests = this.requests.filter((f) => f.remaining > 0);
    return { status: fault.status, applyFirst: fault.applyFirst };
  }

  /** Consumes one armed refusal matching this request, if any. */
  takeRefusal(method: string, path: string): Refusal | undefined {
    const refusal = this.refusals.find((r) => r.remaining > 0 && matchesRequest(r.pattern, method, path));
    if (!refusal) return undefined;
    refusal.remaining -= 1;
    this.refusals = this.refusals.filter((r) => r.remaining > 0);
    return { status: refusal.status, code: refusal.code, message: refusal.message };
  }

  takeWebhookDrop(type: string): boolean {
    const drop = this.webhooks.find((w) => w.remaining > 0 && matchesType(w.pattern, type));
    if (!drop) return false;
    drop.remaining -= 1;
    this.webhooks = this.webhooks.filter((w) => w.remaining > 0);
    return true;
  }
}

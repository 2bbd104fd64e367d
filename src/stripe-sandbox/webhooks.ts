import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Faults } from './faults';
import type { EventObject } from './objects';
import type { SandboxState } from './state';
import type { WebhookChaos } from './webhook-chaos';

export interface WebhookDelivery {
  eventId: string;
  type: string;
  /** 1 for the first try; retries count up; 0 for resendEvent(). */
  attempt: number;
  atMs: number;
  outcome: 'delivered' | 'failed' | 'dropped';
  status?: number;
  error?: string;
  /** Set when the webhook chaos made this attempt: a second copy, or one that overtook the event before it. */
  chaos?: 'duplicate' | 'reordered';
}

export interface WebhookOptions {
  secret: string;
  url?: string;
  /** Waits before each retry after a non-2xx answer or a connection error. */
  retryDelaysMs: number[];
  timeoutMs: number;
  faults: Faults;
  state: SandboxState;
  log: (line: string) => void;
  /** Duplicates, holds back and swaps deliveries on purpose (see webhook-chaos.ts). */
  chaos?: WebhookChaos;
}

const MAX_LOG = 2000;

/** Stripe's `Stripe-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>`. */
export function signWebhookPayload(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

/**
 * Posts events to the webhook URL after the API response has gone out. First attempts go one at
 * a time in creation order; a failed attempt is retried on its own timer, so one failing event
 * never holds up the others (Stripe does not promise order either). With `chaos`, some events
 * are held back, sent twice or swapped with the next one, as Stripe is allowed to.
 */
export class WebhookDispatcher {
  readonly deliveries: WebhookDelivery[] = [];
  private queue: EventObject[] = [];
  private pumping = false;
  private paused = false;
  private closed = false;
  private inFlight = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly requests = new Set<http.ClientRequest>();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: WebhookOptions) {}

  setUrl(url: string | undefined): void {
    this.options.url = url;
  }

  get url(): string | undefined {
    return this.options.url;
  }

  enqueue(events: EventObject[]): void {
    if (this.closed) return;
    for (const event of events) {
      if (!this.options.url) continue;
      event.pending_webhooks = 1;
      if (this.options.faults.takeWebhookDrop(event.type)) {
        this.record({ eventId: event.id, type: event.type, attempt: 1, atMs: Date.now(), outcome: 'dropped' });
        continue;
      }
      const chaos = this.options.chaos?.forEvent();
      if (chaos && chaos.copyAfterMs !== null) this.later(chaos.delayMs + chaos.copyAfterMs, () => void this.attempt(event, 1, 'duplicate').then(() => this.settle()));
      if (chaos && chaos.delayMs > 0) {
        this.later(chaos.delayMs, () => {
          this.queue.push(event);
          this.kick();
        });
        continue;
      }
      this.queue.push(event);
    }
    this.kick();
  }

  /** Runs `work` after `ms` (counted by idle(); put off while paused, dropped once closed). */
  private later(ms: number, work: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.closed) return;
      if (this.paused) {
        this.later(ms, work);
        return;
      }
      work();
      this.settle();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** While the sandbox is stopped nothing is sent; queued and retrying events wait. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.kick();
  }

  /** Resolves once nothing is queued, in flight or waiting to retry. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const request of this.requests) request.destroy(new Error('the Stripe sandbox was closed'));
    this.queue = [];
    this.settle();
  }

  /** Sends one event again now, once, whatever happened before (duplicate-delivery tests). */
  async resend(event: EventObject): Promise<WebhookDelivery> {
    return this.attempt(event, 0);
  }

  private kick(): void {
    if (this.pumping || this.paused || this.closed || this.queue.length === 0) {
      this.settle();
      return;
    }
    this.pumping = true;
    setImmediate(() => void this.pump());
  }

  private async pump(): Promise<void> {
    while (!this.paused && !this.closed && this.queue.length > 0) {
      const swapped = this.queue.length > 1 && this.options.chaos?.swapWithNext() === true;
      const [event] = this.queue.splice(swapped ? 1 : 0, 1);
      const delivery = await this.attempt(event, 1, swapped ? 'reordered' : undefined);
      if (delivery.outcome === 'failed') this.scheduleRetry(event, 1);
    }
    this.pumping = false;
    this.settle();
  }

  private scheduleRetry(event: EventObject, failedAttempt: number): void {
    if (this.closed) return;
    const delay = this.options.retryDelaysMs[failedAttempt - 1];
    if (delay === undefined) {
      this.options.log(`Stripe sandbox: gave up delivering ${event.type} ${event.id} after ${failedAttempt} attempts`);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.paused) {
        this.scheduleRetry(event, failedAttempt);
        return;
      }
      void this.attempt(event, failedAttempt + 1).then((delivery) => {
        if (delivery.outcome === 'failed') this.scheduleRetry(event, failedAttempt + 1);
        this.settle();
      });
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private async attempt(event: EventObject, attempt: number, chaos?: WebhookDelivery['chaos']): Promise<WebhookDelivery> {
    const url = this.options.url;
    const base = { eventId: event.id, type: event.type, attempt, atMs: Date.now(), ...(chaos && { chaos }) };
    if (!url) return this.record({ ...base, outcome: 'failed', error: 'no webhook URL' });
    const payload = JSON.stringify(event, null, 2);
    this.inFlight += 1;
    try {
      const status = await post(url, payload, signWebhookPayload(payload, this.options.secret), this.options.timeoutMs, this.requests);
      const ok = status >= 200 && status < 300;
      if (ok && attempt > 0) {
        event.pending_webhooks = 0;
        this.options.state.changed();
      }
      if (!ok) this.options.log(`Stripe sandbox: webhook ${event.type} ${event.id} answered ${status} (attempt ${attempt})`);
      return this.record({ ...base, outcome: ok ? 'delivered' : 'failed', status });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.log(`Stripe sandbox: webhook ${event.type} ${event.id} failed: ${message} (attempt ${attempt})`);
      return this.record({ ...base, outcome: 'failed', error: message });
    } finally {
      this.inFlight -= 1;
    }
  }

  private record(delivery: WebhookDelivery): WebhookDelivery {
    this.deliveries.push(delivery);
    if (this.deliveries.length > MAX_LOG) this.deliveries.shift();
    return delivery;
  }

  private isIdle(): boolean {
    return this.closed || (this.queue.length === 0 && !this.pumping && this.inFlight === 0 && this.timers.size === 0);
  }

  private settle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** One POST without keep-alive and without following redirects (a 3xx is a failure, as at Stripe). */
function post(url: string, payload: string, signature: string, timeoutMs: number, open: Set<http.ClientRequest>): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(
      target,
      {
        method: 'POST',
        agent: false,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(payload),
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'Stripe-Signature': signature,
          'Cache-Control': 'no-cache',
          Accept: '*/*; q=0.5, application/xml',
        },
        timeout: timeoutMs,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    open.add(request);
    request.on('close', () => open.delete(request));
    request.on('timeout', () => request.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(payload);
  });
}

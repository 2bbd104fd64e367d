import Stripe from 'stripe';
import { Pool } from 'pg';
import { AdminDesk } from './admin-desk';
import { Actor, Api } from './api';
import { ScenarioClock } from './clock';
import { DealState, DealWatch } from './watch';

/** Everything a job uses: the API, the customer's browser (Stripe.js as the SDK), the bank, the clock, the admin. */
export interface World {
  api: Api;
  watch: DealWatch;
  clock: ScenarioClock;
  desk: AdminDesk;
  bank: Bank;
  /** The SDK with the publishable key: what a customer's browser confirms with. */
  browser: Stripe;
  /** The SDK with the secret key: the platform's view of what exists at Stripe. */
  platform: Stripe;
  pool: Pool;
}

/**
 * The customer's bank and Stripe acting on their own, through the sandbox's test hooks: a
 * chargeback opened and decided, a refund failing, a connected account's balance paid out.
 */
export class Bank {
  constructor(private readonly sandboxUrl: string) {}

  openChargeback(chargeId: string, options: { amount?: number; inquiry?: boolean } = {}): Promise<{ id: string }> {
    return this.hook(`/sandbox/charges/${chargeId}/dispute`, { reason: 'fraudulent', ...(options.amount && { amount: options.amount }), ...(options.inquiry && { inquiry: true }) });
  }

  decide(disputeId: string, outcome: 'won' | 'lost' | 'warning_closed'): Promise<unknown> {
    return this.hook(`/sandbox/disputes/${disputeId}/decide`, { outcome });
  }

  failRefund(refundId: string): Promise<unknown> {
    return this.hook(`/sandbox/refunds/${refundId}/fail`, {});
  }

  setBalance(accountId: string, available: number): Promise<unknown> {
    return this.hook(`/sandbox/accounts/${accountId}/balance`, { available, currency: 'usd' });
  }

  private async hook<T>(path: string, form: Record<string, string | number | boolean>): Promise<T> {
    const body = new URLSearchParams(Object.fromEntries(Object.entries(form).map(([k, v]) => [k, String(v)]))).toString();
    const res = await fetch(`${this.sandboxUrl}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
}

const FINAL = ['completed', 'refunded', 'cancelled', 'expired'];

export const paidOut = (s: { payoutStatus: string | null }) => s.payoutStatus === 'paid';

/** Resolved by the expert, reviewed "fixed" by the customer: released and paid. */
export async function completedByReview(deal: Deal): Promise<void> {
  await deal.resolve();
  await deal.review(true);
  await deal.finished(['completed'], paidOut);
}

/** Nothing left moving for the request's money: no payout or refund in flight, no dispute open. */
export function moneyAtRest(s: DealState): boolean {
  const moving = (status: string | null) => status === 'transferring' || (status === 'pending' && !s.frozen);
  return s.openDisputes.length === 0 && s.pendingRefunds === 0 && !moving(s.payoutStatus) && !moving(s.partnerPayoutStatus) && !moving(s.holdbackPayoutStatus);
}

/** The warranty is over and its holdback settled: paid to the expert, refunded, taken by a lost chargeback (or there was none). */
export function holdbackSettled(s: DealState): boolean {
  return !s.warrantyRunning && s.warrantyStatus !== 'held' && s.warrantyStatus !== 'disputed' && !['pending', 'transferring'].includes(s.holdbackPayoutStatus ?? 'none');
}

/**
 * One help request's life as its customer and expert drive it: post, bid, accept, pay, resolve,
 * review, dispute, cancel — each one call, retried safely by the Api; and `until()` to wait for
 * what the app does in its own time (webhooks, timers, payouts, the admin).
 */
export class Deal {
  requestId = '';
  bidId = '';
  paymentIntentId = '';
  clientSecret = '';
  chargeId = '';
  /** The expert's bid carries this fix warranty (days; 0: none). */
  warrantyDays = 0;

  constructor(
    readonly world: World,
    readonly customer: Actor,
    readonly expert: Actor,
    readonly amount: number,
  ) {}

  async post(): Promise<void> {
    const { body } = await this.world.api.expect<{ id: string }>([201], 'POST', '/v1/requests', {
      as: this.customer,
      body: {
        title: 'Laptop stops at a black screen',
        description: 'Since the last update the laptop stops at a black screen after the logo; safe mode does not help.',
        category: 'windows',
        maxBudget: { amount: 10_000, currency: 'usd' },
      },
    });
    this.requestId = body.id;
  }

  async bid(expert: Actor, amount = this.amount): Promise<string> {
    const path = `/v1/requests/${this.requestId}/bids`;
    const answer = await this.world.api.call<{ id: string; error?: { code: string } }>('POST', path, {
      as: expert,
      body: { amount: { amount, currency: 'usd' }, etaMinutes: 90, message: 'I can fix this remotely today.', ...(this.warrantyDays > 0 && expert.id === this.expert.id && { warrantyDays: this.warrantyDays }) },
    });
    if (answer.status === 201) return answer.body.id;
    // Placed by the first try, which the kill cut off before its answer was stored: the expert's own bid is there.
    if (answer.afterLostConnection && answer.body.error?.code === 'bid_exists') {
      const mine = await this.world.api.expect<{ data: Array<{ id: string; status: string }> }>([200], 'GET', path, { as: expert });
      const active = mine.body.data.find((b) => b.status === 'active');
      if (active) return active.id;
    }
    throw new Error(`POST ${path} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  }

  /** Posted, bid on (and by `loser` too), accepted: the escrow's PaymentIntent is the customer's to pay. */
  async accepted(loser?: Actor): Promise<void> {
    await this.post();
    this.bidId = await this.bid(this.expert);
    if (loser) await this.bid(loser, Math.min(10_000, this.amount + 100));
    const answer = await this.world.api.call<{ escrow: { paymentIntentId: string | null; clientSecret: string | null } }>('POST', `/v1/bids/${this.bidId}/accept`, { as: this.customer });
    if (answer.status === 200 && answer.body.escrow.paymentIntentId && answer.body.escrow.clientSecret) {
      this.paymentIntentId = answer.body.escrow.paymentIntentId;
      this.clientSecret = answer.body.escrow.clientSecret;
      return;
    }
    // A first try cut off by the kill may have accepted already, or Stripe was slow to make the
    // PaymentIntent: what the customer's screen shows next is the escrow.
    if (answer.status !== 200 && !(answer.afterLostConnection && answer.status === 409)) throw new Error(`accept → ${answer.status} ${JSON.stringify(answer.body)}`);
    for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
      const escrow = await this.escrow();
      if (escrow.paymentIntentId && escrow.clientSecret) {
        this.paymentIntentId = escrow.paymentIntentId;
        this.clientSecret = escrow.clientSecret;
        return;
      }
    }
    throw new Error('accept: the escrow never got a PaymentIntent');
  }

  /** The customer's browser confirms with the client secret; false when the card is declined. */
  async pay(card = 'pm_card_visa'): Promise<boolean> {
    try {
      const pi = await this.world.browser.paymentIntents.confirm(this.paymentIntentId, { payment_method: card, client_secret: this.clientSecret } as Stripe.PaymentIntentConfirmParams);
      this.chargeId = String(pi.latest_charge ?? '');
      return pi.status === 'succeeded';
    } catch (err) {
      if (err instanceof Stripe.errors.StripeCardError) return false;
      throw err;
    }
  }

  /** Paid with `card`, and funded by the webhook: in progress, money held. */
  async funded(loser?: Actor, card = 'pm_card_visa'): Promise<void> {
    await this.accepted(loser);
    if (!(await this.pay(card))) throw new Error(`${card} was declined`);
    await this.until('funded', (s) => s.escrowStatus === 'held' && s.status === 'in_progress');
  }

  async resolve(): Promise<void> {
    await this.act('resolve', `/v1/requests/${this.requestId}/resolve`, this.expert, { resolutionNote: 'Rebuilt the boot configuration; it starts normally again.' }, (s) => s.status !== 'in_progress');
  }

  async review(resolved: boolean): Promise<void> {
    const body = resolved ? { rating: 5, resolved: true } : { rating: 2, resolved: false, comment: 'It still stops at the black screen.' };
    await this.act('review', `/v1/requests/${this.requestId}/review`, this.customer, body, (s) => s.status !== 'resolved');
  }

  /** POST …/reopen within the warranty: back to the same expert, in progress (round 2). */
  async reopen(): Promise<void> {
    await this.act('reopen', `/v1/requests/${this.requestId}/reopen`, this.customer, { reason: 'It stopped at the black screen again two days later.' }, (s) => s.round > 1);
  }

  async dispute(): Promise<void> {
    // Opened by a first try the kill cut off, the dispute may even be settled by the time the retry runs.
    await this.act('dispute', `/v1/requests/${this.requestId}/dispute`, this.customer, { reason: 'Nothing was fixed, the expert stopped answering.' }, (s) => !['in_progress', 'resolved'].includes(s.status));
  }

  /** POST …/cancel: 200, or 409 when the payment won (request_in_progress). */
  async cancel(): Promise<number> {
    const answer = await this.world.api.call<{ error?: { code: string } }>('POST', `/v1/requests/${this.requestId}/cancel`, { as: this.customer });
    if (answer.status === 200) return 200;
    // The first try, cut off by the kill, may have cancelled it; the retry then finds it cancelled.
    if (answer.status === 409 && answer.afterLostConnection && (await this.world.watch.now(this.requestId)).status === 'cancelled') return 200;
    if (answer.status === 409 && answer.body.error?.code === 'request_in_progress') return 409;
    throw new Error(`cancel → ${answer.status} ${JSON.stringify(answer.body)}`);
  }

  async escrow(): Promise<{ status: string; payoutStatus: string; paymentIntentId: string | null; clientSecret: string | null; refundedAmount: { amount: number } }> {
    return (await this.world.api.expect<never>([200], 'GET', `/v1/requests/${this.requestId}/escrow`, { as: this.customer })).body;
  }

  async request(): Promise<{ status: string }> {
    return (await this.world.api.expect<never>([200], 'GET', `/v1/requests/${this.requestId}`, { as: this.customer })).body;
  }

  until(what: string, test: (s: DealState) => boolean, timeoutMs?: number): Promise<DealState> {
    return this.world.watch.until(this.requestId, `${what} (request ${this.requestId})`, test, timeoutMs);
  }

  /** Waits for a final status with the money at rest. */
  finished(statuses: string[] = FINAL, extra: (s: DealState) => boolean = () => true): Promise<DealState> {
    return this.until(`status ${statuses.join('|')}, money at rest`, (s) => statuses.includes(s.status) && moneyAtRest(s) && extra(s));
  }

  /**
   * A POST that must answer 200/201 — or, when its first try was cut off by the kill and the
   * retry is refused, must have happened all the same (`done` holds).
   */
  private async act(name: string, path: string, as: Actor, body: unknown, done: (s: DealState) => boolean): Promise<void> {
    const answer = await this.world.api.call('POST', path, { as, body });
    if (answer.status === 200 || answer.status === 201) return;
    if (answer.afterLostConnection && done(await this.world.watch.now(this.requestId))) return;
    throw new Error(`${name} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  }
}

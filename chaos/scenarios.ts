import type { Actor } from './api';
import { CHARGEBACK_SCENARIOS } from './chargeback-scenarios';
import { completedByReview, Deal, moneyAtRest, paidOut } from './deal';
import { PARTNER_SCENARIOS, WARRANTY_SCENARIOS } from './warranty-scenarios';

/** What a job knows besides its deal: its number (variants alternate on it), a losing bidder, the expert's Connect account. */
export interface JobContext {
  index: number;
  loser?: Actor;
  accountOf(userId: string): Promise<string>;
}

/** One kind of job: how often it comes (relative weight) and its script, which returns the outcome it ended in. */
export interface Scenario {
  name: string;
  weight: number;
  /** Its expert bids on nothing else (a connected balance set low must stay low). */
  ownExpert?: boolean;
  /** Its customer is a partner's user (the partner acts for it): the partner's revenue share is paid. */
  partner?: boolean;
  run(deal: Deal, job: JobContext): Promise<string>;
}


export const SCENARIOS: Scenario[] = [
  ...CHARGEBACK_SCENARIOS,
  ...WARRANTY_SCENARIOS,
  ...PARTNER_SCENARIOS,
  {
    name: 'reviewed',
    weight: 24,
    async run(deal, job) {
      await deal.funded(job.index % 3 === 0 ? job.loser : undefined);
      await completedByReview(deal);
      return 'completed: reviewed, paid';
    },
  },
  {
    name: 'auto_released',
    weight: 14,
    async run(deal, job) {
      await deal.funded(job.index % 3 === 0 ? job.loser : undefined);
      await deal.resolve();
      await deal.until('resolved', (s) => s.status === 'resolved');
      if (!(await deal.world.clock.elapse(deal.requestId, 'auto_release'))) throw new Error('no auto-release timer to fire');
      const end = await deal.finished(['completed'], paidOut);
      if (!end.autoReleased) throw new Error('completed, but not by the auto-release');
      return 'completed: auto-released by the clock, paid';
    },
  },
  {
    name: 'cancelled_open',
    weight: 6,
    async run(deal, job) {
      await deal.post();
      await deal.bid(deal.expert);
      if (job.loser) await deal.bid(job.loser);
      if ((await deal.cancel()) !== 200) throw new Error('cancel of an open request refused');
      await deal.finished(['cancelled']);
      return 'cancelled while open';
    },
  },
  {
    name: 'cancelled_unpaid',
    weight: 6,
    async run(deal) {
      await deal.accepted();
      if ((await deal.cancel()) !== 200) throw new Error('cancel before payment refused');
      await deal.finished(['cancelled'], (s) => s.escrowStatus === 'cancelled');
      return 'cancelled before payment';
    },
  },
  {
    name: 'cancel_race',
    weight: 10,
    async run(deal) {
      await deal.accepted();
      // R5: the customer cancels while their browser is paying.
      const [cancelled] = await Promise.all([deal.cancel(), deal.pay().catch(() => false)]);
      const pi = await deal.world.platform.paymentIntents.retrieve(deal.paymentIntentId);
      if (cancelled === 409) {
        await deal.until('funded', (s) => s.status === 'in_progress');
        await completedByReview(deal);
        return 'cancel raced payment: paid first, completed';
      }
      if (pi.status === 'succeeded') {
        await deal.finished(['cancelled'], (s) => s.escrowStatus === 'refunded' && s.refundIds.length === 1);
        return 'cancel raced payment: cancelled, late payment refunded';
      }
      await deal.finished(['cancelled'], (s) => s.escrowStatus === 'cancelled');
      return 'cancel raced payment: cancelled first';
    },
  },
  {
    name: 'declined_then_paid',
    weight: 10,
    async run(deal) {
      await deal.accepted();
      if (await deal.pay('pm_card_chargeDeclined')) throw new Error('a declined card was charged');
      if (!(await deal.pay('pm_card_visa'))) throw new Error('the second card was declined');
      await deal.until('funded', (s) => s.status === 'in_progress');
      await completedByReview(deal);
      return 'completed after a declined card';
    },
  },
  {
    name: 'abandoned',
    weight: 10,
    async run(deal, job) {
      await deal.accepted();
      if (await deal.pay('pm_card_chargeDeclined')) throw new Error('a declined card was charged');
      if (!(await deal.world.clock.elapse(deal.requestId, 'payment_window_lapse'))) throw new Error('no payment-window timer to fire');
      await deal.until('payment window lapsed', (s) => s.status === 'open' && s.escrowStatus === 'cancelled');
      // The lapse cancels the PaymentIntent at Stripe (a job): nobody can pay the old one any more.
      for (let i = 0; (await deal.world.platform.paymentIntents.retrieve(deal.paymentIntentId)).status !== 'canceled'; i++) {
        if (i > 300) throw new Error('the lapsed PaymentIntent was never cancelled');
        await new Promise((r) => setTimeout(r, 200));
      }
      if (job.index % 2 === 0) return 'payment abandoned: open again, expiry timer pending';
      if (!(await deal.world.clock.elapse(deal.requestId, 'expire'))) throw new Error('no expiry timer to fire');
      await deal.finished(['expired']);
      return 'payment abandoned: expired by the clock';
    },
  },
  {
    name: 'dispute_release',
    weight: 10,
    async run(deal) {
      await deal.funded();
      deal.world.desk.plan(deal.requestId, 'customer', { outcome: 'release' });
      await deal.resolve();
      await deal.review(false);
      await deal.finished(['completed'], paidOut);
      return 'not fixed: released by the admin, paid';
    },
  },
  {
    name: 'dispute_refund',
    weight: 10,
    async run(deal) {
      await deal.funded();
      deal.world.desk.plan(deal.requestId, 'customer', { outcome: 'refund' });
      await deal.dispute();
      await deal.finished(['refunded'], (s) => s.refundIds.length === 1);
      return 'disputed: refunded by the admin';
    },
  },
  {
    name: 'dispute_split',
    weight: 10,
    async run(deal, job) {
      // Every other split is paid with a card whose refunds fail: the refunded part is then owed.
      const failing = job.index % 2 === 1;
      await deal.funded(undefined, failing ? 'pm_card_refundFail' : 'pm_card_visa');
      deal.world.desk.plan(deal.requestId, 'customer', { outcome: 'split', refundAmount: Math.floor(deal.amount / 3) });
      deal.world.desk.plan(deal.requestId, 'refund_failed', { outcome: 'write_off' });
      await deal.resolve();
      await deal.review(false);
      const refunded = Math.floor(deal.amount / 3);
      await deal.finished(['completed'], (s) => paidOut(s) && (failing ? s.failedRefunds === 1 && s.unclaimedAmount === refunded : s.refundIds.length === 1));
      return failing ? 'not fixed: split, its refund failed and was written off' : 'not fixed: split by the admin';
    },
  },
  {
    name: 'refund_fails',
    weight: 8,
    async run(deal, job) {
      // Every refund of this card fails: written off at once, or after one more failed retry.
      const retryFirst = job.index % 2 === 0;
      await deal.funded(undefined, 'pm_card_refundFail');
      deal.world.desk.plan(deal.requestId, 'customer', { outcome: 'refund' });
      deal.world.desk.plan(deal.requestId, 'refund_failed', ...(retryFirst ? [{ outcome: 'retry_refund' as const }] : []), { outcome: 'write_off' });
      await deal.dispute();
      await deal.finished(['refunded'], (s) => s.failedRefunds === (retryFirst ? 2 : 1) && s.unclaimedAmount === deal.amount);
      return retryFirst ? 'refund failed twice (retried): written off' : 'refund failed: written off';
    },
  },
  {
    name: 'refund_retried',
    weight: 8,
    async run(deal) {
      await deal.funded();
      deal.world.desk.plan(deal.requestId, 'customer', { outcome: 'refund' });
      deal.world.desk.plan(deal.requestId, 'refund_failed', { outcome: 'retry_refund' });
      await deal.dispute();
      const made = await deal.until('refund made', (s) => s.refundIds.length === 1 && s.pendingRefunds === 0 && s.openDisputes.length === 0);
      // The customer's bank sends it back: Stripe fails the refund after it succeeded.
      await deal.world.bank.failRefund(made.refundIds[0]);
      await deal.finished(['refunded'], (s) => s.refundIds.length === 2 && s.failedRefunds === 1);
      return 'refund failed at the bank: retried, refunded';
    },
  },
  {
    name: 'left_working',
    weight: 7,
    async run(deal, job) {
      await deal.funded();
      if (job.index % 2 === 0) {
        await deal.until('in progress, money held', (s) => s.status === 'in_progress' && moneyAtRest(s));
        return 'left in progress: money held, hold-limit timer pending';
      }
      await deal.resolve();
      await deal.until('resolved, money held', (s) => s.status === 'resolved' && moneyAtRest(s));
      return 'left resolved: money held, auto-release timer pending';
    },
  },
];

/** How many jobs of each kind for `total` jobs: by weight, each at least once when there is room. */
export function jobMix(total: number): Scenario[] {
  const weights = SCENARIOS.reduce((sum, s) => sum + s.weight, 0);
  const counts = SCENARIOS.map((s) => Math.max(total >= SCENARIOS.length ? 1 : 0, Math.floor((total * s.weight) / weights)));
  let left = total - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; left !== 0; i = (i + 1) % counts.length) {
    if (left > 0) {
      counts[i] += 1;
      left -= 1;
    } else if (counts[i] > 1) {
      counts[i] -= 1;
      left += 1;
    }
  }
  return SCENARIOS.flatMap((s, i) => Array.from({ length: counts[i] }, () => s));
}

import { completedByReview, Deal, paidOut } from './deal';
import type { Scenario } from './scenarios';

/**
 * Chargebacks, as the customer's bank drives them through the sandbox: won (also an inquiry that
 * closes), lost in full or in part before the release, and lost after the payout — reversed in
 * full, or only partly when the expert's connected balance was paid out meanwhile.
 */
export const CHARGEBACK_SCENARIOS: Scenario[] = [
  {
    name: 'chargeback_won',
    weight: 10,
    async run(deal, job) {
      // Variants: after the expert resolved; while in progress; decided at once (the bank's
      // events race each other); opened before the payment's own webhook has arrived.
      const variant = (['resolved', 'in_progress', 'fast', 'early'] as const)[job.index % 4];
      if (variant === 'early') await paid(deal);
      else await deal.funded();
      if (variant === 'resolved') await deal.resolve();
      await chargeback(deal, 'won', { fast: variant === 'fast' || variant === 'early' });
      const back = variant === 'resolved' ? 'resolved' : 'in_progress';
      await deal.until('chargeback won', (s) => s.chargebackStatus === 'won' && !s.frozen && s.escrowStatus === 'held' && s.status === back);
      if (variant !== 'resolved') await deal.resolve();
      await deal.review(true);
      await deal.finished(['completed'], paidOut);
      return variant === 'early' ? 'chargeback before the payment webhook, won: completed, paid' : 'chargeback won: completed, paid';
    },
  },
  {
    name: 'inquiry_closed',
    weight: 5,
    async run(deal) {
      await deal.funded();
      const { id } = await deal.world.bank.openChargeback(deal.chargeId, { inquiry: true });
      await deal.until('inquiry open', (s) => s.chargebackStatus === 'open' && s.status === 'disputed');
      await deal.world.bank.decide(id, 'warning_closed');
      await deal.until('inquiry closed', (s) => s.chargebackStatus === 'won' && s.status === 'in_progress');
      await completedByReview(deal);
      return 'inquiry closed by the bank: completed, paid';
    },
  },
  {
    name: 'chargeback_lost',
    weight: 8,
    async run(deal, job) {
      const variant = (['slow', 'fast', 'early'] as const)[job.index % 3];
      if (variant === 'early') await paid(deal);
      else await deal.funded();
      await chargeback(deal, 'lost', { fast: variant !== 'slow' });
      await deal.finished(['refunded'], (s) => s.chargebackStatus === 'lost');
      return variant === 'early' ? 'chargeback before the payment webhook, lost: the bank took it all' : 'chargeback lost: the bank took it all';
    },
  },
  {
    name: 'chargeback_partial',
    weight: 8,
    async run(deal, job) {
      await deal.funded();
      // The bank takes a quarter; the admin settles the rest as a customer dispute: released.
      deal.world.desk.plan(deal.requestId, 'chargeback', { outcome: 'release' });
      await chargeback(deal, 'lost', { amount: Math.floor(deal.amount / 4), fast: job.index % 2 === 0 });
      await deal.finished(['completed'], (s) => s.chargebackStatus === 'lost' && paidOut(s));
      return 'partial chargeback lost: the rest released, paid';
    },
  },
  {
    name: 'payout_chargeback',
    weight: 8,
    async run(deal, job) {
      await deal.funded();
      await completedByReview(deal);
      deal.world.desk.plan(deal.requestId, 'post_payout_chargeback', { outcome: 'write_off' });
      await chargeback(deal, 'lost', { fast: job.index % 2 === 0 });
      await deal.finished(['completed'], (s) => s.chargebackStatus === 'lost' && s.payoutStatus === 'reversed');
      return 'chargeback lost after the payout: transfer reversed';
    },
  },
  {
    name: 'payout_chargeback_debt',
    weight: 8,
    ownExpert: true,
    async run(deal, job) {
      await deal.funded();
      await completedByReview(deal);
      // The expert was paid out to their bank meanwhile: only a third is left to reverse.
      const payout = deal.amount - Math.floor((deal.amount * 1500) / 10_000);
      await deal.world.bank.setBalance(await job.accountOf(deal.expert.id), Math.floor(payout / 3));
      deal.world.desk.plan(deal.requestId, 'post_payout_chargeback', { outcome: 'write_off' });
      await chargeback(deal, 'lost');
      await deal.finished(['completed'], (s) => s.chargebackStatus === 'lost' && s.payoutStatus === 'reversed');
      // The debt's dispute comes after the reversal is recorded: wait for the admin's write-off.
      for (let i = 0; ; i++) {
        const debts = await deal.world.pool.query(`SELECT outcome FROM disputes WHERE request_id = $1 AND kind = 'post_payout_chargeback'`, [deal.requestId]);
        if (debts.rows[0]?.outcome === 'write_off') break;
        if (i > 300) throw new Error(`expected the expert's debt written off, found ${JSON.stringify(debts.rows)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      return 'chargeback lost after the payout: partly reversed, debt written off';
    },
  },
];

/**
 * The bank opens a chargeback on the deal's charge (all of it, or `amount`) and decides it: once
 * the app has frozen the escrow, or — `fast` — at once, so the dispute's events (created,
 * funds_withdrawn, closed) arrive in whatever order the webhook chaos gives them.
 */
async function chargeback(deal: Deal, outcome: 'won' | 'lost', options: { amount?: number; fast?: boolean } = {}): Promise<void> {
  const { id } = await deal.world.bank.openChargeback(deal.chargeId, { amount: options.amount });
  if (!options.fast) await deal.until('chargeback open', (s) => s.chargebackStatus === 'open' && s.frozen);
  await deal.world.bank.decide(id, outcome);
}

/** Accepted and paid at Stripe, without waiting for the payment's webhook. */
async function paid(deal: Deal): Promise<void> {
  await deal.accepted();
  if (!(await deal.pay())) throw new Error('pm_card_visa was declined');
}

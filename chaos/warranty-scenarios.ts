import Stripe from 'stripe';
import { completedByReview, Deal, holdbackSettled, paidOut } from './deal';
import type { Scenario } from './scenarios';
import type { DealState } from './watch';

/**
 * The fix warranty (issue 10) and partner revenue shares (issue 8) under the money's real life:
 * holdbacks paid when the warranty runs out, reopened jobs fixed, split, escalated and refunded —
 * some with refunds that fail — and chargebacks after the payout while a holdback is still on the
 * platform (opened by the bank and closed by the evidence Stripe's test mode reads:
 * `winning_evidence` / `losing_evidence`), or from `pm_card_createDispute` before the release.
 * Partner jobs are posted by a partner's user (X-On-Behalf-Of), so the partner's share of the fee
 * is transferred, and reversed in proportion when the bank takes the money back.
 */

const holdbackPaid = (s: DealState) => holdbackSettled(s) && s.holdbackPayoutStatus === 'paid';
const holdbackHeld = (s: DealState) => s.status === 'completed' && s.warrantyStatus === 'held' && s.warrantyRunning;

/** Completed with a warranty: the payout less the holdback paid, the holdback held until the warranty ends. */
async function completedWithWarranty(deal: Deal, card = 'pm_card_visa'): Promise<void> {
  await deal.funded(undefined, card);
  await deal.resolve();
  await deal.review(true);
  await deal.finished(['completed'], (s) => paidOut(s) && holdbackHeld(s));
}

/** The warranty runs out (the clock): the holdback is paid to the expert by its own Transfer. */
async function warrantyRunsOut(deal: Deal): Promise<DealState> {
  if (!(await deal.world.clock.elapse(deal.requestId, 'warranty_release'))) throw new Error('no warranty_release timer to fire');
  return deal.finished(['completed'], holdbackSettled);
}

/**
 * The customer's bank disputes the charge, and the dispute is closed by the evidence submitted —
 * as in Stripe's test mode. `fast`: without waiting for the app to freeze the escrow first.
 */
async function chargebackByEvidence(deal: Deal, outcome: 'won' | 'lost', fast = false): Promise<void> {
  const { id } = await deal.world.bank.openChargeback(deal.chargeId);
  if (!fast) await deal.until('chargeback open', (s) => s.chargebackStatus === 'open' && s.frozen);
  await submitEvidence(deal.world.platform, id, outcome);
}

function submitEvidence(platform: Stripe, disputeId: string, outcome: 'won' | 'lost'): Promise<Stripe.Dispute> {
  return platform.disputes.update(disputeId, { evidence: { uncategorized_text: outcome === 'won' ? 'winning_evidence' : 'losing_evidence' } });
}

export const WARRANTY_SCENARIOS: Scenario[] = [
  {
    name: 'warranty_ran_out',
    weight: 8,
    async run(deal, job) {
      deal.warrantyDays = 1 + (job.index % 30);
      await completedWithWarranty(deal);
      if (job.index % 3 === 0) return 'warranty running: holdback held, warranty timer pending';
      await warrantyRunsOut(deal);
      await deal.finished(['completed'], holdbackPaid);
      return 'warranty ran out: holdback paid';
    },
  },
  {
    name: 'warranty_reopen_fixed',
    weight: 6,
    async run(deal, job) {
      deal.warrantyDays = 7;
      await completedWithWarranty(deal);
      await deal.reopen();
      await deal.until('reopened', (s) => s.status === 'in_progress' && s.round === 2);
      await deal.resolve();
      // Round 2 reviewed "fixed", or left unreviewed until the auto-release: either releases the holdback.
      if (job.index % 2 === 0) await deal.review(true);
      else {
        await deal.until('resolved again', (s) => s.status === 'resolved');
        if (!(await deal.world.clock.elapse(deal.requestId, 'auto_release'))) throw new Error('no round-2 auto-release timer to fire');
      }
      await deal.finished(['completed'], holdbackPaid);
      return job.index % 2 === 0 ? 'reopened, fixed again: holdback paid' : 'reopened, resolved, auto-released: holdback paid';
    },
  },
  {
    name: 'warranty_reopen_split',
    weight: 6,
    async run(deal, job) {
      // Every other one was paid with a card whose refunds fail: the holdback's refunded part is then owed.
      const failing = job.index % 2 === 1;
      deal.warrantyDays = 7;
      await completedWithWarranty(deal, failing ? 'pm_card_refundFail' : 'pm_card_visa');
      const holdback = await holdbackOf(deal);
      const refundAmount = Math.max(1, Math.floor(holdback / 3));
      deal.world.desk.plan(deal.requestId, 'warranty', { outcome: 'split', refundAmount });
      deal.world.desk.plan(deal.requestId, 'refund_failed', { outcome: 'write_off' });
      await deal.reopen();
      await deal.resolve();
      await deal.review(false);
      const end = await deal.finished(['completed'], (s) => holdbackSettled(s) && s.holdbackPayoutStatus === 'paid' && (failing ? s.failedRefunds === 1 : s.refundIds.length === 1));
      if (end.openDisputes.length) throw new Error(`disputes left open: ${end.openDisputes.join(', ')}`);
      return failing ? 'reopened, not fixed: holdback split, its refund failed and was written off' : 'reopened, not fixed: holdback split by the admin';
    },
  },
  {
    name: 'warranty_reopen_escalated',
    weight: 5,
    async run(deal, job) {
      const refund = job.index % 2 === 0;
      deal.warrantyDays = 7;
      await completedWithWarranty(deal);
      deal.world.desk.plan(deal.requestId, 'warranty', { outcome: refund ? 'refund' : 'release' });
      await deal.reopen();
      await deal.until('reopened', (s) => s.status === 'in_progress' && s.round === 2);
      if (!(await deal.world.clock.elapse(deal.requestId, 'reopen_escalation'))) throw new Error('no reopen_escalation timer to fire');
      await deal.finished(['completed'], (s) => holdbackSettled(s) && (refund ? s.warrantyStatus === 'refunded' && s.refundIds.length === 1 : s.holdbackPayoutStatus === 'paid'));
      return refund ? 'reopened, left unresolved: escalated, holdback refunded' : 'reopened, left unresolved: escalated, holdback released';
    },
  },
  {
    name: 'warranty_payout_chargeback',
    weight: 8,
    async run(deal, job) {
      // After the payout, with the holdback still held: won, or lost (the holdback pays first);
      // lost after the warranty ran out and the holdback was paid too (both Transfers reversed,
      // the main one first); or won after the warranty
      // ran out while the escrow was frozen (the holdback's payout waits for the decision).
      const variant = (['lost', 'won', 'lost_after_holdback', 'won_warranty_ended_meanwhile'] as const)[job.index % 4];
      deal.warrantyDays = 7;
      await completedWithWarranty(deal);
      if (variant === 'lost_after_holdback') await warrantyRunsOut(deal);
      deal.world.desk.plan(deal.requestId, 'post_payout_chargeback', { outcome: 'write_off' });
      if (variant === 'won_warranty_ended_meanwhile') {
        const { id } = await deal.world.bank.openChargeback(deal.chargeId);
        await deal.until('chargeback open', (s) => s.chargebackStatus === 'open' && s.frozen);
        if (!(await deal.world.clock.elapse(deal.requestId, 'warranty_release'))) throw new Error('no warranty_release timer to fire');
        await deal.until('warranty over, holdback waiting', (s) => s.warrantyStatus === 'released' && s.holdbackPayoutStatus === 'pending');
        await submitEvidence(deal.world.platform, id, 'won');
        await deal.finished(['completed'], (s) => s.chargebackStatus === 'won' && holdbackPaid(s));
        return 'warranty ran out during a chargeback, won (evidence): holdback paid';
      }
      await chargebackByEvidence(deal, variant === 'won' ? 'won' : 'lost', job.index % 2 === 0);
      if (variant === 'won') {
        await deal.until('chargeback won', (s) => s.chargebackStatus === 'won' && !s.frozen);
        await warrantyRunsOut(deal);
        await deal.finished(['completed'], holdbackPaid);
        return 'chargeback after the payout won (evidence): holdback paid when the warranty ran out';
      }
      await deal.finished(['completed'], (s) => s.chargebackStatus === 'lost' && s.payoutStatus === 'reversed' && (variant === 'lost' || s.holdbackPayoutStatus === 'reversed'));
      if (variant === 'lost') await warrantyRunsOut(deal);
      await deal.finished(['completed'], holdbackSettled);
      return variant === 'lost' ? 'chargeback after the payout lost (evidence): holdback taken first, transfer reversed' : 'chargeback lost after payout and holdback: both transfers reversed';
    },
  },
  {
    name: 'warranty_card_dispute',
    weight: 5,
    async run(deal, job) {
      // pm_card_createDispute: the bank disputes the charge as soon as it is paid, before any release.
      const won = job.index % 2 === 0;
      deal.warrantyDays = 7;
      await deal.accepted();
      if (!(await deal.pay('pm_card_createDispute'))) throw new Error('pm_card_createDispute was declined');
      await deal.until('chargeback open', (s) => s.chargebackStatus === 'open' && s.status === 'disputed');
      const [dispute] = (await deal.world.platform.disputes.list({ payment_intent: deal.paymentIntentId, limit: 1 })).data;
      if (!dispute) throw new Error('no dispute at Stripe for pm_card_createDispute');
      await submitEvidence(deal.world.platform, dispute.id, won ? 'won' : 'lost');
      if (!won) {
        await deal.finished(['refunded'], (s) => s.chargebackStatus === 'lost');
        return 'card disputed at once, lost (evidence): the bank took it all, no holdback';
      }
      await deal.until('chargeback won', (s) => s.chargebackStatus === 'won' && s.status === 'in_progress');
      await deal.resolve();
      await deal.review(true);
      await deal.finished(['completed'], (s) => paidOut(s) && holdbackHeld(s));
      await warrantyRunsOut(deal);
      await deal.finished(['completed'], holdbackPaid);
      return 'card disputed at once, won (evidence): completed, holdback paid later';
    },
  },
];

export const PARTNER_SCENARIOS: Scenario[] = [
  {
    name: 'partner_reviewed',
    weight: 6,
    partner: true,
    async run(deal, job) {
      if (job.index % 2 === 1) {
        deal.warrantyDays = 3;
        await completedWithWarranty(deal);
        await deal.finished(['completed'], (s) => s.partnerPayoutStatus === 'paid');
        await warrantyRunsOut(deal);
        await deal.finished(['completed'], (s) => holdbackPaid(s) && s.partnerPayoutStatus === 'paid');
        return "partner's customer, with a warranty: expert, partner share and holdback paid";
      }
      await deal.funded();
      await completedByReview(deal);
      await deal.finished(['completed'], (s) => s.partnerPayoutStatus === 'paid');
      return "partner's customer: expert and partner share paid";
    },
  },
  {
    name: 'partner_split',
    weight: 4,
    partner: true,
    async run(deal, job) {
      const refund = job.index % 3 === 0;
      await deal.funded();
      deal.world.desk.plan(deal.requestId, 'customer', refund ? { outcome: 'refund' } : { outcome: 'split', refundAmount: Math.floor(deal.amount / 2) });
      await deal.resolve();
      await deal.review(false);
      if (refund) {
        await deal.finished(['refunded'], (s) => s.refundIds.length === 1 && s.partnerPayoutStatus === 'none');
        return "partner's customer, not fixed: refunded, no share";
      }
      await deal.finished(['completed'], (s) => paidOut(s) && s.refundIds.length === 1 && s.partnerPayoutStatus === 'paid');
      return "partner's customer, not fixed: split, share of the fee kept paid";
    },
  },
  {
    name: 'partner_payout_chargeback',
    weight: 5,
    partner: true,
    async run(deal, job) {
      // With a warranty every other time: the bank's loss takes from the holdback, the expert's and the partner's Transfers.
      const warranty = job.index % 2 === 0;
      if (warranty) {
        deal.warrantyDays = 7;
        await completedWithWarranty(deal);
      } else {
        await deal.funded();
        await completedByReview(deal);
      }
      await deal.finished(['completed'], (s) => s.partnerPayoutStatus === 'paid');
      deal.world.desk.plan(deal.requestId, 'post_payout_chargeback', { outcome: 'write_off' });
      await chargebackByEvidence(deal, 'lost', job.index % 3 === 0);
      await deal.finished(['completed'], (s) => s.chargebackStatus === 'lost' && s.payoutStatus === 'reversed' && s.partnerPayoutStatus === 'reversed');
      if (warranty) await warrantyRunsOut(deal);
      await deal.finished(['completed'], holdbackSettled);
      return warranty
        ? "partner's customer, chargeback lost after the payout: holdback taken, expert and partner transfers reversed"
        : "partner's customer, chargeback lost after the payout: expert and partner transfers reversed";
    },
  },
];

async function holdbackOf(deal: Deal): Promise<number> {
  const { rows } = await deal.world.pool.query(`SELECT warranty_holdback FROM escrows WHERE request_id = $1 AND warranty_holdback > 0`, [deal.requestId]);
  if (!rows[0]) throw new Error('no holdback held');
  return Number(rows[0].warranty_holdback);
}

/**
 * M4: Stripe's objects against our ledger, both ways. Pure: the service pages through Stripe and
 * reads the ledger, this decides what disagrees. Only objects carrying our ids are ours.
 */
import { TransferPurpose } from './transfer-purpose';

export interface Violation {
  code: string;
  message: string;
  escrowId?: string;
  stripeId?: string;
}

export interface StripeSide {
  /** Succeeded PaymentIntents with an escrowId in their metadata: the charge is what was funded. */
  charges: Array<{ paymentIntentId: string; chargeId: string; escrowId: string; amount: number }>;
  /** Transfers with an escrowId in their metadata; `purpose` from transferPurpose() (the expert's, the partner's). */
  transfers: Array<{ id: string; escrowId: string; amount: number; purpose: TransferPurpose | 'unknown' }>;
  refunds: Array<{ id: string; paymentIntentId: string; amount: number; status: string }>;
  /** Reversals of our Transfers (after a lost chargeback), with the escrow their Transfer paid. */
  reversals?: Array<{ id: string; transferId: string; escrowId: string; amount: number }>;
}

export interface LedgerSide {
  fundings: Array<{ escrowId: string; chargeId: string | null }>;
  /** The expert's payouts (kind payout) and the partners' (kind partner_payout). */
  payouts: Array<{ escrowId: string; transferId: string | null; purpose: TransferPurpose }>;
  refunds: Array<{ escrowId: string; stripeRefundId: string | null; status: string; key: string }>;
  /** Our PaymentIntent ids and their escrows, to tell our refunds from anyone else's. */
  paymentIntentIds: ReadonlyMap<string, string>;
  /** Reversal postings (stripe_object_id = the reversal). */
  reversals?: Array<{ escrowId: string; reversalId: string | null }>;
}

export function reconcile(stripe: StripeSide, ledger: LedgerSide): Violation[] {
  const violations: Violation[] = [];
  const fundedCharges = new Set(ledger.fundings.map((f) => f.chargeId));
  for (const charge of stripe.charges) {
    if (!fundedCharges.has(charge.chargeId)) {
      violations.push({ code: 'stripe_charge_without_ledger', message: `charge ${charge.chargeId} (${charge.amount}) has no funding entry`, escrowId: charge.escrowId, stripeId: charge.chargeId });
    }
  }
  const stripeCharges = new Set(stripe.charges.map((c) => c.chargeId));
  for (const funding of ledger.fundings) {
    if (!funding.chargeId || !stripeCharges.has(funding.chargeId)) {
      violations.push({ code: 'ledger_funding_without_stripe_charge', message: `funding of escrow ${funding.escrowId} names no succeeded charge at Stripe`, escrowId: funding.escrowId, stripeId: funding.chargeId ?? undefined });
    }
  }
  violations.push(...reconcileTransfers(stripe, ledger));
  violations.push(...reconcileRefunds(stripe, ledger));
  violations.push(...reconcileReversals(stripe, ledger));
  return violations;
}

/**
 * Transfers are matched by id and purpose: an expert's Transfer with the expert's payout entry, a
 * partner's with the partner's. Two Transfers of one escrow for one purpose break M3.
 */
function reconcileTransfers(stripe: StripeSide, ledger: LedgerSide): Violation[] {
  const violations: Violation[] = [];
  const key = (purpose: string, id: string | null) => `${purpose} ${id}`;
  const paidTransfers = new Set(ledger.payouts.map((p) => key(p.purpose, p.transferId)));
  const perEscrow = new Map<string, string[]>();
  for (const transfer of stripe.transfers) {
    if (!paidTransfers.has(key(transfer.purpose, transfer.id))) {
      violations.push({
        code: 'stripe_transfer_without_ledger',
        message: `transfer ${transfer.id} (${transfer.amount}, ${transfer.purpose}) has no payout entry of its purpose`,
        escrowId: transfer.escrowId,
        stripeId: transfer.id,
      });
    }
    const escrowPurpose = key(transfer.purpose, transfer.escrowId);
    perEscrow.set(escrowPurpose, [...(perEscrow.get(escrowPurpose) ?? []), transfer.id]);
  }
  for (const [escrowPurpose, ids] of perEscrow) {
    if (ids.length < 2) continue;
    const [purpose, escrowId] = escrowPurpose.split(' ');
    violations.push({ code: 'duplicate_transfer', message: `escrow ${escrowId} has ${ids.length} ${purpose} transfers at Stripe: ${ids.join(', ')}`, escrowId, stripeId: ids[1] });
  }
  const stripeTransfers = new Set(stripe.transfers.map((t) => key(t.purpose, t.id)));
  for (const payout of ledger.payouts) {
    if (!payout.transferId || !stripeTransfers.has(key(payout.purpose, payout.transferId))) {
      violations.push({
        code: 'ledger_payout_without_stripe_transfer',
        message: `${payout.purpose} payout of escrow ${payout.escrowId} names no ${payout.purpose} transfer at Stripe`,
        escrowId: payout.escrowId,
        stripeId: payout.transferId ?? undefined,
      });
    }
  }
  return violations;
}

/**
 * A refund of ours at Stripe has its row; a row made at Stripe is there, in the same state: a
 * refund Stripe failed is fine when our row says failed too (M7 reversed it and an admin decides),
 * and a failed row whose refund Stripe says succeeded is a mismatch.
 */
function reconcileRefunds(stripe: StripeSide, ledger: LedgerSide): Violation[] {
  const violations: Violation[] = [];
  const recorded = new Set(ledger.refunds.map((r) => r.stripeRefundId));
  for (const refund of stripe.refunds) {
    if (!ledger.paymentIntentIds.has(refund.paymentIntentId) || refund.status === 'failed' || refund.status === 'canceled') continue;
    if (!recorded.has(refund.id)) {
      violations.push({
        code: 'stripe_refund_without_ledger',
        message: `refund ${refund.id} (${refund.amount}) has no refund entry`,
        escrowId: ledger.paymentIntentIds.get(refund.paymentIntentId),
        stripeId: refund.id,
      });
    }
  }
  const stripeRefunds = new Map(stripe.refunds.map((r) => [r.id, r]));
  for (const refund of ledger.refunds) {
    // Returned by the customer's bank (rows from before v1.1): there is no Stripe Refund to find.
    if (refund.status === 'chargeback') continue;
    const atStripe = refund.stripeRefundId ? stripeRefunds.get(refund.stripeRefundId) : undefined;
    const failedAtStripe = atStripe?.status === 'failed' || atStripe?.status === 'canceled';
    if (!refund.stripeRefundId) {
      // Refused outright by Stripe: never made, already handed to an admin.
      if (refund.status !== 'failed') violations.push({ code: 'refund_not_made', message: `refund ${refund.key} of escrow ${refund.escrowId} is not at Stripe yet`, escrowId: refund.escrowId });
    } else if (!atStripe) {
      violations.push({ code: 'ledger_refund_without_stripe_refund', message: `refund ${refund.stripeRefundId} of escrow ${refund.escrowId} is unknown to Stripe`, escrowId: refund.escrowId, stripeId: refund.stripeRefundId });
    } else if (failedAtStripe !== (refund.status === 'failed')) {
      const code = failedAtStripe ? 'refund_failed' : 'refund_status_mismatch';
      violations.push({ code, message: `refund ${atStripe.id} of escrow ${refund.escrowId} is ${atStripe.status} at Stripe, ${refund.status} here`, escrowId: refund.escrowId, stripeId: atStripe.id });
    }
  }
  return violations;
}

/** M6: every reversal of our Transfers has its posting, and every reversal posting its reversal. */
function reconcileReversals(stripe: StripeSide, ledger: LedgerSide): Violation[] {
  if (!stripe.reversals || !ledger.reversals) return [];
  const violations: Violation[] = [];
  const posted = new Set(ledger.reversals.map((r) => r.reversalId));
  for (const reversal of stripe.reversals) {
    if (!posted.has(reversal.id)) {
      violations.push({ code: 'stripe_reversal_without_ledger', message: `reversal ${reversal.id} (${reversal.amount}) of transfer ${reversal.transferId} has no entry`, escrowId: reversal.escrowId, stripeId: reversal.id });
    }
  }
  const atStripe = new Set(stripe.reversals.map((r) => r.id));
  for (const reversal of ledger.reversals) {
    if (!reversal.reversalId || !atStripe.has(reversal.reversalId)) {
      violations.push({ code: 'ledger_reversal_without_stripe', message: `a reversal entry of escrow ${reversal.escrowId} names no reversal at Stripe`, escrowId: reversal.escrowId, stripeId: reversal.reversalId ?? undefined });
    }
  }
  return violations;
}

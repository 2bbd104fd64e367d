/**
 * Dispute rules the request state table does not cover: who opens one, what an admin may decide,
 * and the per-customer quota. Pure: the clock and the escrow's facts come in.
 */
import { splitRefund } from '../../payments/domain/money';
import type { RequestEventType } from '../../requests/domain/request-state';

export const DISPUTE_STATUSES = ['open', 'resolved'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
export const DISPUTE_OPENERS = ['customer', 'system', 'chargeback'] as const;
export type DisputeOpener = (typeof DISPUTE_OPENERS)[number];
export const DISPUTE_OUTCOMES = ['release', 'refund', 'split'] as const;
export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number];

/** API4: disputes one customer may open per rolling day (reviews saying "not fixed" count too). */
export const DISPUTES_PER_DAY = 10;
export const DISPUTE_QUOTA_WINDOW_MS = 24 * 3_600_000;

/** The request event each admin decision applies. */
export const OUTCOME_EVENTS: Record<DisputeOutcome, Extract<RequestEventType, 'admin_release' | 'admin_refund' | 'admin_split'>> = {
  release: 'admin_release',
  refund: 'admin_refund',
  split: 'admin_split',
};

export interface DecisionFailure {
  readonly ok: false;
  readonly code: 'dispute_not_open' | 'escrow_frozen' | 'missing_field' | 'invalid_field';
  readonly message: string;
  readonly param?: string;
}

/** How the held amount is divided: refunded to the customer, the fee, and paid to the expert. */
export interface Settlement {
  readonly outcome: DisputeOutcome;
  readonly refundAmount: number;
  readonly platformFee: number;
  readonly expertPayout: number;
}

export interface DecisionInput {
  readonly outcome: DisputeOutcome;
  readonly refundAmount?: number;
}

export interface EscrowFacts {
  readonly amount: number;
  readonly platformFee: number;
  readonly expertPayout: number;
  /** A chargeback froze it: the card network is returning the money, so nothing may be released. */
  readonly frozen: boolean;
}

/**
 * Checks an admin's decision and works out the money. A frozen escrow (chargeback) can only be
 * settled as `refund`: releasing any part would pay the expert money the bank is taking back.
 * Payments records that refund as a chargeback settlement (the bank returned the money) with no
 * Stripe Refund, since Stripe refuses to refund a charged-back charge (`charge_disputed`).
 */
export function decideDispute(
  dispute: { readonly status: DisputeStatus },
  escrow: EscrowFacts,
  input: DecisionInput,
  feeBps: number,
): { readonly ok: true; readonly value: Settlement } | DecisionFailure {
  if (dispute.status !== 'open') return fail('dispute_not_open', 'The dispute is already resolved.');
  if (input.outcome !== 'split' && input.refundAmount !== undefined) {
    return fail('invalid_field', '"refundAmount" is only allowed with outcome "split".', 'refundAmount');
  }
  if (escrow.frozen && input.outcome !== 'refund') {
    return fail('escrow_frozen', 'A chargeback froze this escrow: it cannot be released, only settled as "refund".');
  }
  switch (input.outcome) {
    case 'release':
      return settled({ outcome: 'release', refundAmount: 0, platformFee: escrow.platformFee, expertPayout: escrow.expertPayout });
    case 'refund':
      return settled({ outcome: 'refund', refundAmount: escrow.amount, platformFee: 0, expertPayout: 0 });
    case 'split': {
      if (input.refundAmount === undefined) return fail('missing_field', '"refundAmount" is required with outcome "split".', 'refundAmount');
      const split = splitRefund(escrow.amount, input.refundAmount, feeBps);
      if (!split.ok) return fail(split.code, split.message, split.param);
      const { refundAmount, platformFee, expertPayout } = split.value;
      return settled({ outcome: 'split', refundAmount, platformFee, expertPayout });
    }
  }
}

function settled(value: Settlement) {
  return { ok: true as const, value };
}

function fail(code: DecisionFailure['code'], message: string, param?: string): DecisionFailure {
  return { ok: false, code, message, param };
}

/** Seconds until the oldest dispute in the window leaves it, so Retry-After is never early. */
export function disputeQuotaRetryAfterSeconds(oldestInWindow: Date, now: Date): number {
  return Math.max(1, Math.ceil((oldestInWindow.getTime() + DISPUTE_QUOTA_WINDOW_MS - now.getTime()) / 1000));
}

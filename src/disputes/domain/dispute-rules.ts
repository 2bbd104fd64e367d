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

/**
 * What a dispute is about (contract §3 "Disputes have a kind"): it says which request states
 * move and what an admin may decide. customer, chargeback and warranty hold the request in
 * `disputed`; post_payout_chargeback and refund_failed are about money only, the request keeps
 * its status.
 */
export const DISPUTE_KINDS = ['customer', 'chargeback', 'warranty', 'post_payout_chargeback', 'refund_failed'] as const;
export type DisputeKind = (typeof DISPUTE_KINDS)[number];
export const REQUEST_DISPUTE_KINDS: readonly DisputeKind[] = ['customer', 'chargeback', 'warranty'];

/** What an admin may send. */
export const ADMIN_OUTCOMES = ['release', 'refund', 'split', 'recovered', 'write_off', 'retry_refund'] as const;
export type AdminOutcome = (typeof ADMIN_OUTCOMES)[number];
/** Every way a dispute ends: an admin's outcome, or Stripe's decision on a chargeback (no admin). */
export const DISPUTE_OUTCOMES = [...ADMIN_OUTCOMES, 'chargeback_won', 'chargeback_lost'] as const;
export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number];

/** The outcomes an admin may choose, by kind. */
export const OUTCOMES_BY_KIND: Record<DisputeKind, readonly AdminOutcome[]> = {
  customer: ['release', 'refund', 'split'],
  chargeback: ['release', 'refund', 'split'],
  warranty: ['release', 'refund', 'split'],
  post_payout_chargeback: ['recovered', 'write_off'],
  refund_failed: ['retry_refund', 'write_off'],
};

/** API4: disputes one customer may open per rolling day (reviews saying "not fixed" count too). */
export const DISPUTES_PER_DAY = 10;
export const DISPUTE_QUOTA_WINDOW_MS = 24 * 3_600_000;

type SettlingOutcome = Extract<AdminOutcome, 'release' | 'refund' | 'split'>;

/** The request event each settling decision applies (the other kinds leave the request as it is). */
export const OUTCOME_EVENTS: Record<SettlingOutcome, Extract<RequestEventType, 'admin_release' | 'admin_refund' | 'admin_split'>> = {
  release: 'admin_release',
  refund: 'admin_refund',
  split: 'admin_split',
};

export interface DecisionFailure {
  readonly ok: false;
  readonly code: 'dispute_not_open' | 'chargeback_open' | 'outcome_not_allowed' | 'escrow_not_held' | 'missing_field' | 'invalid_field';
  readonly message: string;
  readonly param?: string;
}

/** How the held amount is divided: refunded to the customer, the fee, and paid to the expert. */
export interface MoneySettlement {
  readonly outcome: SettlingOutcome;
  readonly refundAmount: number;
  readonly platformFee: number;
  readonly expertPayout: number;
}

/** A decision that moves no held money between the parties: a debt or a failed refund is settled. */
export interface DebtSettlement {
  readonly outcome: Extract<AdminOutcome, 'recovered' | 'write_off' | 'retry_refund'>;
  /** What the outcome settles: the debt still owed, or the failed refund's amount. */
  readonly amount: number;
}

export type Settlement = MoneySettlement | DebtSettlement;

export interface DecisionInput {
  readonly outcome: AdminOutcome;
  readonly refundAmount?: number;
}

export interface EscrowFacts {
  /** Held now (heldAmount): what a settling outcome divides. */
  readonly amount: number;
  readonly platformFee: number;
  readonly expertPayout: number;
  /** The charge's chargeback, if any: while open, Stripe decides and nothing is settled. */
  readonly chargebackStatus: 'open' | 'won' | 'lost' | null;
  /** post_payout_chargeback: what the payees still owe; refund_failed: the failed refund still held. */
  readonly owed?: number;
}

/**
 * Checks an admin's decision against the dispute's kind and works out the money. Anything while
 * the charge's chargeback is open → chargeback_open (the bank decides; refunding a charge the bank
 * is taking back would repay the customer twice); an outcome the kind does not allow →
 * outcome_not_allowed; a settling outcome needs held money.
 */
export function decideDispute(
  dispute: { readonly status: DisputeStatus; readonly kind: DisputeKind },
  escrow: EscrowFacts,
  input: DecisionInput,
  feeBps: number,
): { readonly ok: true; readonly value: Settlement } | DecisionFailure {
  if (dispute.status !== 'open') return fail('dispute_not_open', 'The dispute is already resolved.');
  if (escrow.chargebackStatus === 'open') {
    return fail('chargeback_open', "The customer's bank is deciding a chargeback on this payment: Stripe settles it, not an admin.");
  }
  const allowed = OUTCOMES_BY_KIND[dispute.kind];
  if (!allowed.includes(input.outcome)) {
    return fail('outcome_not_allowed', `A ${dispute.kind} dispute is resolved with ${allowed.map((o) => `"${o}"`).join(' or ')}.`, 'outcome');
  }
  if (input.outcome !== 'split' && input.refundAmount !== undefined) {
    return fail('invalid_field', '"refundAmount" is only allowed with outcome "split".', 'refundAmount');
  }
  switch (input.outcome) {
    case 'recovered':
    case 'write_off':
    case 'retry_refund':
      return settled({ outcome: input.outcome, amount: escrow.owed ?? 0 });
    case 'release':
    case 'refund':
    case 'split':
      return settleHeld(escrow, input.outcome, input.refundAmount, feeBps);
  }
}

function settleHeld(escrow: EscrowFacts, outcome: SettlingOutcome, refundAmount: number | undefined, feeBps: number) {
  if (escrow.amount <= 0) {
    // The money already went back (a refund made outside Fixbid): closing it as refunded moves nothing.
    if (outcome === 'refund') return settled({ outcome, refundAmount: 0, platformFee: 0, expertPayout: 0 });
    return fail('escrow_not_held', 'Nothing is held for this request any more: it can only be closed as "refund".');
  }
  switch (outcome) {
    case 'release':
      return settled({ outcome, refundAmount: 0, platformFee: escrow.platformFee, expertPayout: escrow.expertPayout });
    case 'refund':
      return settled({ outcome, refundAmount: escrow.amount, platformFee: 0, expertPayout: 0 });
    case 'split': {
      if (refundAmount === undefined) return fail('missing_field', '"refundAmount" is required with outcome "split".', 'refundAmount');
      const split = splitRefund(escrow.amount, refundAmount, feeBps);
      if (!split.ok) return fail(split.code, split.message, split.param);
      const { platformFee, expertPayout } = split.value;
      return settled({ outcome, refundAmount: split.value.refundAmount, platformFee, expertPayout });
    }
  }
}

/** True for a settlement that divides the held money (and moves the request). */
export function settlesHeldMoney(settlement: Settlement): settlement is MoneySettlement {
  return settlement.outcome === 'release' || settlement.outcome === 'refund' || settlement.outcome === 'split';
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

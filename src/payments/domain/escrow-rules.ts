/**
 * The escrow's rules (contract §3 "Escrow", ISSUE4 money flow) in plain TypeScript: which
 * Stripe PaymentIntent state does what to an escrow, who may see the client secret, what a
 * release or refund may move. No Nest, no TypeORM, no Stripe SDK.
 */
import { FeeSplit, splitFee } from './money';

export const ESCROW_STATUSES = ['requires_payment', 'held', 'released', 'refunded', 'partially_refunded', 'cancelled'] as const;
export type EscrowStatus = (typeof ESCROW_STATUSES)[number];

/** transferring: the payout decision was taken under the escrow's lock and the Transfer is being made; reversed: taken back (in part) after a chargeback. */
export const PAYOUT_STATUSES = ['none', 'pending', 'transferring', 'paid', 'reversed'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

/** The escrow fields these rules read. */
export interface EscrowFacts {
  readonly status: EscrowStatus;
  readonly amount: number;
  readonly refundedAmount: number;
  readonly platformFee: number;
  readonly expertPayout: number;
  readonly feeBps: number;
  readonly frozen: boolean;
  /** Left escrow by a release (what the fee and the payouts were taken from); 0 before one. */
  readonly releasedAmount?: number;
  /** Taken from the held money by a lost chargeback. */
  readonly chargebackLossHeld?: number;
  /** A failed refund given up (owed to the customer, no longer held). */
  readonly unclaimedAmount?: number;
}

export interface EscrowRefusal {
  readonly code: 'escrow_not_held' | 'escrow_frozen' | 'invalid_field';
  readonly message: string;
  readonly param?: string;
}

type HeldFacts = Pick<EscrowFacts, 'status' | 'amount' | 'refundedAmount' | 'releasedAmount' | 'chargebackLossHeld' | 'unclaimedAmount'>;

/**
 * Money still held in escrow for this charge: the amount less what went back to the customer,
 * what a release paid out, what a lost chargeback took, and refunds given up. The ledger's
 * escrow_held of the escrow equals it (M2), whatever the status says.
 */
export function heldAmount(escrow: HeldFacts): number {
  // Never funded (or cancelled before it was): nothing was ever held.
  if (escrow.status === 'requires_payment' || escrow.status === 'cancelled') return 0;
  return escrow.amount - escrow.refundedAmount - (escrow.releasedAmount ?? 0) - (escrow.chargebackLossHeld ?? 0) - (escrow.unclaimedAmount ?? 0);
}

/**
 * What a release pays out of the held money. A whole release keeps the quote made at acceptance
 * (platformFee + expertPayout == amount); after a partial refund (a dispute split) the fee is
 * taken on the released part only, at the escrow's own rate — exactly splitRefund's rule.
 */
export function releaseSplit(escrow: EscrowFacts): FeeSplit {
  const held = heldAmount(escrow);
  if (held === escrow.amount) return { platformFee: escrow.platformFee, expertPayout: escrow.expertPayout };
  return splitFee(held, escrow.feeBps);
}

export function releaseRefusal(escrow: Pick<EscrowFacts, 'status' | 'frozen'>): EscrowRefusal | null {
  if (escrow.status !== 'held') return { code: 'escrow_not_held', message: `The escrow is ${escrow.status}; only held money can be released.` };
  if (escrow.frozen) return { code: 'escrow_frozen', message: 'The charge is disputed at the bank (chargeback); release is frozen.' };
  return null;
}

/**
 * A refund takes 1..held minor units of a held escrow. Never while a chargeback froze it: the
 * bank is returning the money itself (and Stripe refuses a Refund of a disputed charge), so a
 * refund would repay the customer twice; Stripe's decision settles it (M6).
 */
export function refundRefusal(escrow: EscrowFacts, amount: number): EscrowRefusal | null {
  if (escrow.status !== 'held') return { code: 'escrow_not_held', message: `The escrow is ${escrow.status}; only held money can be refunded.` };
  const held = heldAmount(escrow);
  if (escrow.frozen) return { code: 'escrow_frozen', message: "The charge is disputed at the customer's bank (chargeback): nothing is refunded until Stripe decides it." };
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > held) {
    return { code: 'invalid_field', message: `"refundAmount" must be an integer from 1 to ${held}.`, param: 'refundAmount' };
  }
  return null;
}

/** Held until nothing is left; a whole refund ends the escrow. */
export function statusAfterRefund(escrow: EscrowFacts, amount: number): EscrowStatus {
  return heldAmount(escrow) - amount === 0 ? 'refunded' : 'held';
}

/** A release after a partial refund (split) ends as partially_refunded, a whole one as released. */
export function statusAfterRelease(escrow: Pick<EscrowFacts, 'refundedAmount'>): EscrowStatus {
  return escrow.refundedAmount > 0 ? 'partially_refunded' : 'released';
}

export type EscrowViewer = 'owner' | 'expert' | 'admin';

/** The client secret confirms a payment: the paying customer only, and only while it is still due. */
export function clientSecretVisible(viewer: EscrowViewer, status: EscrowStatus): boolean {
  return viewer === 'owner' && status === 'requires_payment';
}

/**
 * The Stripe client's longest call: 10 s timeout × 3 attempts plus backoff. An escrow without a
 * PaymentIntent older than this is not "still being created" by a live request any more.
 */
export const PAYMENT_INTENT_ATTEMPT_MS = 60_000;

/**
 * Repeating an accept completes a PaymentIntent that could not be created (Stripe was down, or
 * the process died after commit). A concurrent repeat while the first call is still talking to
 * Stripe is not a retry: it stays the C1 409.
 */
export function paymentIntentRetryable(
  escrow: { status: EscrowStatus; paymentIntentId: string | null; paymentIntentFailedAt: Date | null; createdAt: Date },
  now: Date,
): boolean {
  if (escrow.status !== 'requires_payment' || escrow.paymentIntentId) return false;
  return escrow.paymentIntentFailedAt !== null || now.getTime() - escrow.createdAt.getTime() > PAYMENT_INTENT_ATTEMPT_MS;
}

/** The PaymentIntent facts the sync reads (validated from Stripe's answer first). */
export interface PaymentIntentFacts {
  readonly status: string;
  readonly chargeId: string | null;
  readonly hasPaymentError: boolean;
}

/**
 * What a PaymentIntent's current state (re-read from Stripe, W3) does to its escrow:
 * - fund: paid while the request still awaits this escrow's payment;
 * - fund_and_refund (R5): paid after the request was cancelled or its payment window lapsed —
 *   the money must not stay held, so it is recorded and refunded at once;
 * - cancel: the PaymentIntent was cancelled before any money moved;
 * - payment_failed: a decline, reported while payment is still due;
 * - none: nothing new (a duplicate, a stale event, a state that only moves forward).
 */
export type PaymentIntentOutcome = 'fund' | 'fund_and_refund' | 'cancel' | 'payment_failed' | 'none';

export function paymentIntentOutcome(
  escrowStatus: EscrowStatus,
  requestAwaitsThisEscrow: boolean,
  pi: PaymentIntentFacts,
  eventType?: string,
): PaymentIntentOutcome {
  const unfunded = escrowStatus === 'requires_payment' || escrowStatus === 'cancelled';
  if (pi.status === 'succeeded' && pi.chargeId && unfunded) {
    return escrowStatus === 'requires_payment' && requestAwaitsThisEscrow ? 'fund' : 'fund_and_refund';
  }
  if (pi.status === 'canceled' && escrowStatus === 'requires_payment') return 'cancel';
  const failedNow = pi.status === 'requires_payment_method' && pi.hasPaymentError;
  if (failedNow && eventType === 'payment_intent.payment_failed' && escrowStatus === 'requires_payment') return 'payment_failed';
  return 'none';
}

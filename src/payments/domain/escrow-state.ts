/**
 * The escrow's life as one table of `{from, event, to, guard}` rows and one `applyEscrowEvent()`,
 * like the request's and the bid's. Each move names every column it writes and the ledger
 * postings that go with it, so the escrow's status, its payouts and its money only move together.
 * Pure: the clock comes in `ctx`.
 */
import { allocateChargebackLoss, ReleasedParts } from './chargeback';
import { EscrowStatus, heldAmount, PayoutStatus, refundRefusal, releaseRefusal, releaseSplit } from './escrow-rules';
import {
  chargebackFromHeldLines,
  chargebackFromReleasedLines,
  fundingLines,
  holdbackPayoutLines,
  holdbackRefundLines,
  LedgerKind,
  partnerPayoutLines,
  payoutLines,
  PostingLine,
  receivableSettledLines,
  refundFailedLines,
  refundLines,
  releaseLines,
  reversalLines,
  unclaimedRefundLines,
} from './ledger-postings';
import { holdbackOf, splitPartnerShare } from './money';

const DAY_MS = 24 * 3_600_000;

export const ESCROW_EVENT_TYPES = [
  'fund',
  'fund_and_refund',
  'cancel',
  'release',
  'refund',
  'chargeback_opened',
  'chargeback_won',
  'chargeback_lost',
  'transfer_started',
  'transfer_failed',
  'transfer_recorded',
  'transfer_reversed',
  'refund_failed',
  'retry_refund',
  'write_off_refund',
  'receivable_settled',
  'warranty_released',
  'warranty_refund',
  'warranty_disputed',
] as const;
export type EscrowEventType = (typeof ESCROW_EVENT_TYPES)[number];

/** Who a Transfer pays: the expert (their payout), the partner (its revenue share), or the expert's warranty holdback. */
export type Payee = 'expert' | 'partner' | 'holdback';

/** The fix warranty's holdback: held while the warranty runs, then released to the expert, refunded (in part), or disputed. */
export type WarrantyStatus = 'held' | 'released' | 'disputed' | 'refunded';

/** The partner whose user posted the request, and its revenue share as it is when the escrow is funded. */
export interface PartnerTerms {
  readonly partnerId: string;
  readonly shareBps: number;
}

export type EscrowEvent =
  /** The PaymentIntent succeeded while the request awaited this escrow; a partner customer's share is fixed now. */
  | { readonly type: 'fund'; readonly chargeId: string; readonly partner: PartnerTerms | null }
  /** R5: it succeeded after the request stopped awaiting it: recorded and refunded in full at once. */
  | { readonly type: 'fund_and_refund'; readonly chargeId: string; readonly refundKey: string }
  /** The unfunded escrow ends: the request was cancelled, its payment window lapsed, or Stripe cancelled the PaymentIntent. */
  | { readonly type: 'cancel' }
  /**
   * Everything still held goes to the expert (less the fee); payouts may go from `payoutAvailableAt`
   * (the security hold). With a warranty (warrantyDays > 0), `holdbackBps` of the expert's payout
   * stays held (warranty_held) until the warranty ends.
   */
  | { readonly type: 'release'; readonly reason: string; readonly payoutAvailableAt: Date; readonly holdbackBps?: number }
  /** The warranty is over (ended, or a reopened job was settled for the expert): the holdback is owed to the expert. */
  | { readonly type: 'warranty_released' }
  /**
   * `amount` of the holdback goes back to the customer (a warranty dispute's refund or split), or —
   * `retry` — a failed refund of it is made again (an admin's retry_refund).
   */
  | { readonly type: 'warranty_refund'; readonly amount: number; readonly refundKey: string; readonly retry?: boolean }
  /** A reopened job went to an admin: the holdback waits for the decision. */
  | { readonly type: 'warranty_disputed' }
  /** `amount` of the held money goes back to the customer; `refundKey` names the decision (and the posting). */
  | { readonly type: 'refund'; readonly amount: number; readonly refundKey: string }
  /** A chargeback: release, refunds and payouts freeze, whatever the status. */
  | { readonly type: 'chargeback_opened'; readonly disputeId: string; readonly amount: number }
  /** The bank sided with us (Stripe's `won`, or an inquiry's `warning_closed`): everything carries on. */
  | { readonly type: 'chargeback_won' }
  /** The bank took the disputed amount for good; `released` are the parts the release gave (for what went beyond the held money). */
  | { readonly type: 'chargeback_lost'; readonly released: ReleasedParts }
  /** M8: the payout decision, under the escrow's lock: not frozen, due, and owed. */
  | { readonly type: 'transfer_started'; readonly payee: Payee }
  /** The Transfer could not be made (the account cannot take it yet): owed again. */
  | { readonly type: 'transfer_failed'; readonly payee: Payee }
  /** The Transfer exists at Stripe: what was owed is paid out. */
  | { readonly type: 'transfer_recorded'; readonly payee: Payee; readonly transferId: string; readonly amount: number }
  /** Money taken back from the payee's connected account after a lost chargeback. */
  | { readonly type: 'transfer_reversed'; readonly payee: Payee; readonly reversalId: string; readonly amount: number }
  /** M7: Stripe failed a refund: the money is back in escrow (or in the holdback it came from), for an admin to retry or write off. */
  | { readonly type: 'refund_failed'; readonly refundKey: string; readonly amount: number; readonly fromHoldback?: boolean }
  /** A failed refund decided again, under a new key. */
  | { readonly type: 'retry_refund'; readonly refundKey: string; readonly amount: number }
  /** A failed refund given up: owed to the customer (unclaimed_refunds), no longer held (in escrow, or in the holdback). */
  | { readonly type: 'write_off_refund'; readonly reference: string; readonly amount: number; readonly fromHoldback?: boolean }
  /** What a payee owes after a lost chargeback, settled by an admin: repaid outside Stripe, or absorbed. */
  | { readonly type: 'receivable_settled'; readonly payee: Payee; readonly amount: number; readonly how: 'recovered' | 'write_off'; readonly reference: string };

/** The escrow fields the table reads. */
export interface EscrowState {
  readonly id: string;
  readonly status: EscrowStatus;
  readonly payoutStatus: PayoutStatus;
  readonly amount: number;
  readonly refundedAmount: number;
  readonly platformFee: number;
  readonly expertPayout: number;
  readonly feeBps: number;
  readonly frozen: boolean;
  readonly transferId: string | null;
  /** Set at funding when the customer belongs to a partner. */
  readonly partnerId: string | null;
  /** The partner's share of the fee kept, in bps, fixed at funding (0: no share). */
  readonly partnerShareBps: number;
  readonly partnerPayoutStatus: PayoutStatus;
  readonly partnerTransferId: string | null;
  readonly releasedAmount: number;
  readonly chargebackStatus: 'open' | 'won' | 'lost' | null;
  readonly chargebackAmount: number | null;
  readonly chargebackLossHeld: number;
  readonly unclaimedAmount: number;
  readonly payoutAvailableAt: Date | null;
  /** When each payee's payout was first decided (transfer_started): the age of its Stripe key. */
  readonly transferStartedAt: Date | null;
  readonly partnerTransferStartedAt: Date | null;
  /** The accepted bid's warranty (0: none) and its holdback, with what became of it. */
  readonly warrantyDays: number;
  readonly warrantyHoldback: number;
  readonly warrantyRefunded: number;
  /** Taken from the holdback by a lost chargeback, or a failed refund of it written off. */
  readonly warrantyLost: number;
  /**
   * Of the holdback: the customer's part whose refund Stripe failed, back in warranty_held until an
   * admin retries or writes it off — never the expert's to be paid.
   */
  readonly warrantyRefundFailed: number;
  readonly warrantyStatus: WarrantyStatus | null;
  readonly warrantyEndsAt: Date | null;
  readonly holdbackPayoutStatus: PayoutStatus;
  readonly holdbackTransferId: string | null;
  readonly holdbackTransferStartedAt: Date | null;
}

/** What of the holdback is still on the platform for the expert (not the customer's part of a failed refund). */
export function holdbackRemaining(escrow: Pick<EscrowState, 'warrantyHoldback' | 'warrantyRefunded' | 'warrantyLost' | 'warrantyRefundFailed' | 'holdbackPayoutStatus'>): number {
  if (escrow.holdbackPayoutStatus === 'paid' || escrow.holdbackPayoutStatus === 'reversed') return 0;
  return escrow.warrantyHoldback - escrow.warrantyRefunded - escrow.warrantyLost - escrow.warrantyRefundFailed;
}

/** Once a failed refund of the holdback is settled: released when the expert had a part of it, else refunded. */
const holdbackSettledStatus = (escrow: EscrowState): WarrantyStatus => (escrow.holdbackPayoutStatus === 'none' ? 'refunded' : 'released');

/** The columns a move writes (status and payout statuses included when they change). */
export interface EscrowChanges {
  readonly status?: EscrowStatus;
  readonly payoutStatus?: PayoutStatus;
  readonly frozen?: boolean;
  readonly chargeId?: string;
  readonly transferId?: string;
  readonly partnerId?: string;
  readonly partnerShareBps?: number;
  readonly partnerPayoutStatus?: PayoutStatus;
  readonly partnerTransferId?: string;
  readonly clientSecret?: null;
  readonly paymentIntentFailedAt?: null;
  readonly refundedAmount?: number;
  readonly fundedAt?: Date;
  readonly releasedAt?: Date;
  readonly refundedAt?: Date;
  readonly releaseReason?: string;
  readonly releasedAmount?: number;
  readonly payoutAvailableAt?: Date;
  readonly stripeDisputeId?: string;
  readonly chargebackStatus?: 'open' | 'won' | 'lost';
  readonly chargebackAmount?: number;
  readonly chargebackLoss?: number;
  readonly chargebackLossHeld?: number;
  readonly unclaimedAmount?: number;
  readonly transferStartedAt?: Date;
  readonly partnerTransferStartedAt?: Date;
  readonly warrantyHoldback?: number;
  readonly warrantyRefunded?: number;
  readonly warrantyLost?: number;
  readonly warrantyRefundFailed?: number;
  readonly warrantyStatus?: WarrantyStatus;
  readonly warrantyEndsAt?: Date;
  readonly holdbackPayoutStatus?: PayoutStatus;
  readonly holdbackTransferId?: string;
  readonly holdbackTransferStartedAt?: Date;
}

/** A ledger posting a move makes (the escrow's own ids and currency are added by the writer). */
export interface PostingDraft {
  readonly kind: LedgerKind;
  readonly reference: string;
  readonly stripeObjectId?: string;
  readonly lines: readonly PostingLine[];
}

export const ESCROW_CONFLICT_CODES = ['escrow_not_held', 'escrow_frozen', 'escrow_not_payable', 'chargeback_open'] as const;

export interface EscrowFailure {
  readonly ok: false;
  readonly code: (typeof ESCROW_CONFLICT_CODES)[number] | 'invalid_field';
  readonly message: string;
  readonly param?: string;
  readonly currentStatus: EscrowStatus;
}

export type EscrowTransitionResult =
  | { readonly ok: true; readonly changes: EscrowChanges; readonly postings: readonly PostingDraft[] }
  | EscrowFailure;

export interface EscrowEventContext {
  readonly now: Date;
}

type Problem = Omit<EscrowFailure, 'ok' | 'currentStatus'>;
type Guard = (escrow: EscrowState, event: EscrowEvent, ctx: EscrowEventContext) => Problem | null;

export interface EscrowTransition {
  readonly from: EscrowStatus;
  readonly event: EscrowEventType;
  readonly to: EscrowStatus;
  /** Several rows for one (from, event): the first whose `when` holds is the move. */
  readonly when?: (escrow: EscrowState, event: EscrowEvent) => boolean;
  readonly guard?: Guard;
}

const payoutOf = (escrow: EscrowState, payee: Payee) =>
  payee === 'expert' ? escrow.payoutStatus : payee === 'partner' ? escrow.partnerPayoutStatus : escrow.holdbackPayoutStatus;
const payeeOf = (event: EscrowEvent): Payee =>
  'payee' in event
    ? event.payee
    : // Stryker disable next-line StringLiteral: only the transfer rows' guards ask, and each of their events names its payee
      'expert';
const notPayable = (what: string): Problem => ({ code: 'escrow_not_payable', message: what });

const releasable: Guard = (escrow) => releaseRefusal(escrow);
const refundable: Guard = (escrow, event) =>
  // Stryker disable next-line ConditionalExpression: only refund rows carry this guard; the check narrows the event's type
  event.type === 'refund'
    ? refundRefusal(escrow, event.amount)
    : null;
const wholeRefund = (escrow: EscrowState, event: EscrowEvent) =>
  // Stryker disable next-line ConditionalExpression: only a refund row asks; the check narrows the event's type
  event.type === 'refund' &&
  event.amount === heldAmount(escrow);
/** M8: a payout starts only when the escrow is not frozen, the security hold is over and something is owed. */
const startable: Guard = (escrow, event, ctx) => {
  if (escrow.frozen) return { code: 'escrow_frozen', message: 'A chargeback froze this escrow: no payout until it is won.' };
  if (payoutOf(escrow, payeeOf(event)) !== 'pending') return notPayable(`The ${payeeOf(event)}'s payout is ${payoutOf(escrow, payeeOf(event))}; nothing is owed.`);
  if (escrow.payoutAvailableAt && ctx.now.getTime() < escrow.payoutAvailableAt.getTime()) return notPayable(`The payout is held until ${escrow.payoutAvailableAt.toISOString()}.`);
  return null;
};
const transferring: Guard = (escrow, event) =>
  payoutOf(escrow, payeeOf(event)) === 'transferring' ? null : notPayable(`The ${payeeOf(event)}'s payout is not being transferred.`);
/** A Transfer that exists is recorded even on a frozen escrow (the money has moved); once, and only when owed. */
const recordable: Guard = (escrow, event) => {
  const payee = payeeOf(event);
  const linked = payee === 'expert' ? escrow.transferId : payee === 'partner' ? escrow.partnerTransferId : escrow.holdbackTransferId;
  const status = payoutOf(escrow, payee);
  return !linked && (status === 'pending' || status === 'transferring') ? null : notPayable(`The ${payee}'s payout is ${status}; nothing is owed.`);
};
const reversible: Guard = (escrow, event) => {
  const status = payoutOf(escrow, payeeOf(event));
  return status === 'paid' || status === 'reversed' ? null : notPayable(`The ${payeeOf(event)}'s payout is ${status}: there is no Transfer to reverse.`);
};
const chargebackOpen: Guard = (escrow) =>
  escrow.chargebackStatus === 'open' ? null : { code: 'escrow_not_held', message: `The escrow has no open chargeback (${escrow.chargebackStatus ?? 'none'}).` };
const noChargebackYet: Guard = (escrow) =>
  escrow.chargebackStatus === null ? null : { code: 'chargeback_open', message: 'The charge already has a chargeback.' };
const positive = (amount: number, max: number, what: string): Problem | null =>
  Number.isSafeInteger(amount) && amount >= 1 && amount <= max ? null : { code: 'invalid_field', message: `${what} must be an integer from 1 to ${max}.`, param: 'amount' };
const refundedEnough: Guard = (escrow, event) =>
  positive('amount' in event ? event.amount : 0, 'fromHoldback' in event && event.fromHoldback ? escrow.warrantyRefunded : escrow.refundedAmount, 'The failed refund');
const heldEnough: Guard = (escrow, event) => positive('amount' in event ? event.amount : 0, heldAmount(escrow), 'The amount');
const heldOrHoldbackEnough: Guard = (escrow, event) =>
  positive('amount' in event ? event.amount : 0, 'fromHoldback' in event && event.fromHoldback ? escrow.warrantyRefundFailed : heldAmount(escrow), 'The amount');
const positiveAmount: Guard = (_escrow, event) => positive('amount' in event ? event.amount : 0, Number.MAX_SAFE_INTEGER, 'The amount');
const lostEverythingHeld = (escrow: EscrowState) => escrow.releasedAmount === 0 && heldAmount(escrow) <= (escrow.chargebackAmount ?? 0);
const warrantyIn =
  (...statuses: WarrantyStatus[]): Guard =>
  (escrow) =>
    escrow.warrantyStatus && statuses.includes(escrow.warrantyStatus) ? null : { code: 'escrow_not_held', message: `No warranty holdback is ${statuses.join(' or ')} (${escrow.warrantyStatus ?? 'none'}).` };
const holdbackHeld = warrantyIn('held', 'disputed');
const holdbackRefundable: Guard = (escrow, event) => {
  const amount = 'amount' in event ? event.amount : 0;
  // A retry refunds the customer's part a failed refund brought back, whatever the expert's part became.
  if (event.type === 'warranty_refund' && event.retry) return positive(amount, escrow.warrantyRefundFailed, 'The failed holdback refund');
  return holdbackHeld(escrow, event, { now: new Date(0) }) ?? positive(amount, holdbackRemaining(escrow), 'The holdback refund');
};

const STATUSES: readonly EscrowStatus[] = ['requires_payment', 'held', 'released', 'refunded', 'partially_refunded', 'cancelled'];
const RELEASED: readonly EscrowStatus[] = ['released', 'partially_refunded'];
const FUNDED: readonly EscrowStatus[] = ['held', 'released', 'refunded', 'partially_refunded'];
const stay = (statuses: readonly EscrowStatus[], event: EscrowEventType, guard?: Guard): EscrowTransition[] =>
  statuses.map((status) => ({ from: status, event, to: status, guard }));

/**
 * The escrow's moves. A chargeback may hit any escrow of a request (before funding, after a
 * release, on an older escrow); Transfers, their reversals and the debts a lost chargeback leaves
 * belong to released money; a failed refund comes back to whatever escrow made it.
 */
export const ESCROW_TRANSITIONS: readonly EscrowTransition[] = [
  { from: 'requires_payment', event: 'fund', to: 'held' },
  { from: 'requires_payment', event: 'fund_and_refund', to: 'refunded' },
  { from: 'cancelled', event: 'fund_and_refund', to: 'refunded' },
  { from: 'requires_payment', event: 'cancel', to: 'cancelled' },
  { from: 'held', event: 'release', to: 'released', when: (e) => e.refundedAmount === 0, guard: releasable },
  { from: 'held', event: 'release', to: 'partially_refunded', guard: releasable },
  { from: 'held', event: 'refund', to: 'refunded', when: wholeRefund, guard: refundable },
  { from: 'held', event: 'refund', to: 'held', guard: refundable },
  ...stay(STATUSES, 'chargeback_opened', noChargebackYet),
  ...stay(STATUSES, 'chargeback_won', chargebackOpen),
  { from: 'held', event: 'chargeback_lost', to: 'refunded', when: lostEverythingHeld, guard: chargebackOpen },
  // A loss is booked on funded money only (a chargeback before the funding webhook waits for it).
  ...stay(FUNDED, 'chargeback_lost', chargebackOpen),
  ...stay(RELEASED, 'transfer_started', startable),
  ...stay(RELEASED, 'transfer_failed', transferring),
  ...stay(RELEASED, 'transfer_recorded', recordable),
  ...stay(RELEASED, 'transfer_reversed', reversible),
  // A failed refund comes back to whatever escrow made it (a released one: a refund of its holdback).
  ...stay(FUNDED, 'refund_failed', refundedEnough),
  ...stay(FUNDED, 'retry_refund', heldEnough),
  ...stay(FUNDED, 'write_off_refund', heldOrHoldbackEnough),
  ...stay(RELEASED, 'receivable_settled', positiveAmount),
  ...stay(RELEASED, 'warranty_released', holdbackHeld),
  ...stay(RELEASED, 'warranty_refund', holdbackRefundable),
  ...stay(RELEASED, 'warranty_disputed', warrantyIn('held')),
];

/** The one apply: find the row, check its guard, then name the columns and the postings. */
export function applyEscrowEvent(escrow: EscrowState, event: EscrowEvent, ctx: EscrowEventContext): EscrowTransitionResult {
  const rows = ESCROW_TRANSITIONS.filter((t) => t.from === escrow.status && t.event === event.type);
  const row = rows.find((t) => !t.when || t.when(escrow, event));
  if (!row) return refused(escrow, { code: 'escrow_not_held', message: `The escrow is ${escrow.status}; ${event.type} is not possible.` });
  const problem = row.guard?.(escrow, event, ctx);
  if (problem) return refused(escrow, problem);
  const { changes, postings } = effectOf(escrow, event, ctx.now);
  return { ok: true, changes: { ...changes, ...(row.to !== escrow.status && { status: row.to }) }, postings };
}

function effectOf(escrow: EscrowState, event: EscrowEvent, now: Date): { changes: EscrowChanges; postings: PostingDraft[] } {
  const ref = (kind: LedgerKind, reference: string, lines: PostingLine[], stripeObjectId?: string): PostingDraft => ({ kind, reference, lines, ...(stripeObjectId && { stripeObjectId }) });
  const payout = (payee: Payee, status: PayoutStatus): EscrowChanges =>
    payee === 'expert' ? { payoutStatus: status } : payee === 'partner' ? { partnerPayoutStatus: status } : { holdbackPayoutStatus: status };
  switch (event.type) {
    case 'fund': {
      const partner = event.partner ? { partnerId: event.partner.partnerId, partnerShareBps: event.partner.shareBps } : {};
      return {
        changes: { chargeId: event.chargeId, fundedAt: now, clientSecret: null, paymentIntentFailedAt: null, ...partner },
        postings: [ref('funding', `funding:${escrow.id}`, fundingLines(escrow.amount), event.chargeId)],
      };
    }
    case 'fund_and_refund':
      return {
        changes: { chargeId: event.chargeId, fundedAt: now, refundedAmount: escrow.amount, refundedAt: now, clientSecret: null },
        postings: [ref('funding', `funding:${escrow.id}`, fundingLines(escrow.amount), event.chargeId), ref('refund', event.refundKey, refundLines(escrow.amount))],
      };
    case 'cancel':
      return { changes: { clientSecret: null }, postings: [] };
    case 'release': {
      const released = heldAmount(escrow);
      const { platformFee, expertPayout } = releaseSplit(escrow);
      // M9: the partner's share is of the fee this release keeps (after a split, the fee on the rest).
      const { partnerShare, platformNet } = splitPartnerShare(platformFee, escrow.partnerShareBps);
      const holdback = escrow.warrantyDays > 0 ? holdbackOf(expertPayout, event.holdbackBps ?? 0) : 0;
      const warranty: EscrowChanges =
        escrow.warrantyDays > 0 ? { warrantyHoldback: holdback, warrantyStatus: 'held', warrantyEndsAt: new Date(now.getTime() + escrow.warrantyDays * DAY_MS) } : {};
      return {
        changes: {
          releasedAt: now,
          releaseReason: event.reason,
          releasedAmount: escrow.releasedAmount + released,
          payoutAvailableAt: event.payoutAvailableAt,
          payoutStatus: expertPayout - holdback > 0 ? 'pending' : 'none',
          ...(partnerShare > 0 && { partnerPayoutStatus: 'pending' as const }),
          ...warranty,
        },
        postings: released > 0 ? [ref('release', `release:${escrow.id}`, releaseLines(released, platformNet, expertPayout, partnerShare, holdback))] : [],
      };
    }
    case 'warranty_released':
      return { changes: { warrantyStatus: 'released', holdbackPayoutStatus: holdbackRemaining(escrow) > 0 ? 'pending' : 'none' }, postings: [] };
    case 'warranty_refund': {
      if (event.retry) {
        return {
          changes: { warrantyRefunded: escrow.warrantyRefunded + event.amount, warrantyRefundFailed: escrow.warrantyRefundFailed - event.amount, refundedAt: now, warrantyStatus: holdbackSettledStatus(escrow) },
          postings: [ref('refund', event.refundKey, holdbackRefundLines(event.amount))],
        };
      }
      const whole = event.amount === holdbackRemaining(escrow);
      return {
        changes: { warrantyRefunded: escrow.warrantyRefunded + event.amount, refundedAt: now, ...(whole && { warrantyStatus: 'refunded' as const }) },
        postings: [ref('refund', event.refundKey, holdbackRefundLines(event.amount))],
      };
    }
    case 'warranty_disputed':
      return { changes: { warrantyStatus: 'disputed' }, postings: [] };
    case 'refund':
      return {
        changes: { refundedAmount: escrow.refundedAmount + event.amount, refundedAt: now },
        postings: [ref('refund', event.refundKey, refundLines(event.amount))],
      };
    case 'chargeback_opened':
      return { changes: { frozen: true, chargebackStatus: 'open', chargebackAmount: event.amount, stripeDisputeId: event.disputeId }, postings: [] };
    case 'chargeback_won':
      return { changes: { frozen: false, chargebackStatus: 'won' }, postings: [] };
    case 'chargeback_lost': {
      const lost = escrow.chargebackAmount ?? 0;
      const cost = allocateChargebackLoss(lost, heldAmount(escrow), event.released);
      const paid = (status: PayoutStatus) => status === 'paid' || status === 'transferring' || status === 'reversed';
      const beyond = cost.expert + cost.partner + cost.platform;
      // The expert's part comes out of a holdback still on the platform first (the released parts count it as the expert's).
      const fromHoldback = Math.min(cost.expert, holdbackRemaining(escrow));
      const postings: PostingDraft[] = [];
      if (cost.fromHeld > 0) postings.push(ref('chargeback', `chargeback:held:${escrow.id}`, chargebackFromHeldLines(cost.fromHeld)));
      if (beyond > 0) {
        const lines = chargebackFromReleasedLines({ ...cost, fromHoldback, expertPaid: paid(escrow.payoutStatus), partnerPaid: paid(escrow.partnerPayoutStatus) });
        postings.push(ref('chargeback', `chargeback:released:${escrow.id}`, lines));
      }
      // A payout not made yet that the loss took whole: nothing is owed any more.
      const nothingOwed = (status: PayoutStatus, part: number, of: number) => status === 'pending' && of > 0 && part >= of;
      const payouts: EscrowChanges = {
        ...(nothingOwed(escrow.payoutStatus, cost.expert - fromHoldback, event.released.expertPayout - escrow.warrantyHoldback) && { payoutStatus: 'none' as const }),
        ...(nothingOwed(escrow.partnerPayoutStatus, cost.partner, event.released.partnerShare) && { partnerPayoutStatus: 'none' as const }),
        ...(fromHoldback > 0 && { warrantyLost: escrow.warrantyLost + fromHoldback }),
        ...(fromHoldback > 0 && fromHoldback === holdbackRemaining(escrow) && escrow.holdbackPayoutStatus === 'pending' && { holdbackPayoutStatus: 'none' as const }),
      };
      // The rest of a held escrow is settled by an admin as a customer's dispute: it thaws.
      return {
        changes: { frozen: false, chargebackStatus: 'lost', chargebackLoss: lost, chargebackLossHeld: escrow.chargebackLossHeld + cost.fromHeld, ...payouts },
        postings,
      };
    }
    case 'transfer_started': {
      // The first decision's time stays: it dates the Stripe key (stripeKey renews it after 23 h).
      const started =
        event.payee === 'expert'
          ? { transferStartedAt: escrow.transferStartedAt ?? now }
          : event.payee === 'partner'
            ? { partnerTransferStartedAt: escrow.partnerTransferStartedAt ?? now }
            : { holdbackTransferStartedAt: escrow.holdbackTransferStartedAt ?? now };
      return { changes: { ...payout(event.payee, 'transferring'), ...started }, postings: [] };
    }
    case 'transfer_failed':
      return { changes: payout(event.payee, 'pending'), postings: [] };
    case 'transfer_recorded':
      if (event.payee === 'holdback') {
        return {
          changes: { holdbackTransferId: event.transferId, holdbackPayoutStatus: 'paid' },
          postings: [ref('holdback_payout', `transfer:holdback:${escrow.id}`, holdbackPayoutLines(event.amount), event.transferId)],
        };
      }
      return event.payee === 'expert'
        ? { changes: { transferId: event.transferId, payoutStatus: 'paid' }, postings: [ref('payout', `transfer:${escrow.id}`, payoutLines(event.amount), event.transferId)] }
        : {
            changes: { partnerTransferId: event.transferId, partnerPayoutStatus: 'paid' },
            postings: [ref('partner_payout', `transfer:partner:${escrow.id}`, partnerPayoutLines(event.amount), event.transferId)],
          };
    case 'transfer_reversed':
      return {
        changes: payout(event.payee, 'reversed'),
        postings: [ref('reversal', `reversal:${event.payee}:${escrow.id}:${event.reversalId}`, reversalLines(event.payee, event.amount), event.reversalId)],
      };
    case 'refund_failed':
      if (event.fromHoldback) {
        // Back into the holdback it came from (still the customer's, if an admin so decides again).
        return {
          changes: { warrantyRefunded: escrow.warrantyRefunded - event.amount, warrantyRefundFailed: escrow.warrantyRefundFailed + event.amount, warrantyStatus: 'disputed' },
          postings: [ref('refund_failed', `refund_failed:${event.refundKey}`, refundFailedLines(event.amount, 'warranty_held'))],
        };
      }
      return {
        changes: { refundedAmount: escrow.refundedAmount - event.amount },
        postings: [ref('refund_failed', `refund_failed:${event.refundKey}`, refundFailedLines(event.amount))],
      };
    case 'retry_refund':
      return {
        changes: { refundedAmount: escrow.refundedAmount + event.amount, refundedAt: now },
        postings: [ref('refund', event.refundKey, refundLines(event.amount))],
      };
    case 'write_off_refund':
      if (event.fromHoldback) {
        return {
          changes: { warrantyLost: escrow.warrantyLost + event.amount, warrantyRefundFailed: escrow.warrantyRefundFailed - event.amount, warrantyStatus: holdbackSettledStatus(escrow) },
          postings: [ref('write_off', event.reference, unclaimedRefundLines(event.amount, 'warranty_held'))],
        };
      }
      return { changes: { unclaimedAmount: escrow.unclaimedAmount + event.amount }, postings: [ref('write_off', event.reference, unclaimedRefundLines(event.amount))] };
    case 'receivable_settled':
      return {
        changes: {},
        postings: [ref(event.how === 'recovered' ? 'recovery' : 'write_off', event.reference, receivableSettledLines(event.payee, event.amount, event.how))],
      };
  }
}

function refused(escrow: EscrowState, problem: Problem): EscrowFailure {
  return { ok: false, ...problem, currentStatus: escrow.status };
}

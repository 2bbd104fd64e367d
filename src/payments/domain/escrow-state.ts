/**
 * The escrow's life as one table of `{from, event, to, guard}` rows and one `applyEscrowEvent()`,
 * like the request's and the bid's. Each move names every column it writes and the ledger
 * postings that go with it, so the escrow's status and its money can only move together.
 * Pure: the clock comes in `ctx`.
 */
import { EscrowStatus, heldAmount, PayoutStatus, refundRefusal, releaseRefusal, releaseSplit } from './escrow-rules';
import { fundingLines, LedgerKind, partnerPayoutLines, payoutLines, PostingLine, refundLines, releaseLines } from './ledger-postings';
import { splitPartnerShare } from './money';

export const ESCROW_EVENT_TYPES = ['fund', 'fund_and_refund', 'cancel', 'release', 'refund', 'freeze', 'transfer_recorded', 'partner_transfer_recorded'] as const;
export type EscrowEventType = (typeof ESCROW_EVENT_TYPES)[number];

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
  /** Everything still held goes to the expert (less the fee). */
  | { readonly type: 'release'; readonly reason: string }
  /** `amount` of the held money goes back to the customer; `refundKey` names the decision (and the posting). */
  | { readonly type: 'refund'; readonly amount: number; readonly refundKey: string }
  /** A chargeback: release and refunds freeze, whatever the status. */
  | { readonly type: 'freeze' }
  /** The expert's Transfer exists at Stripe: what is owed is paid out. */
  | { readonly type: 'transfer_recorded'; readonly transferId: string; readonly amount: number }
  /** The partner's revenue-share Transfer exists at Stripe: its share is paid out. */
  | { readonly type: 'partner_transfer_recorded'; readonly transferId: string; readonly amount: number };

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
}

/** The columns a move writes (status and payout status included when they change). */
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
}

/** A ledger posting a move makes (the escrow's own ids and currency are added by the writer). */
export interface PostingDraft {
  readonly kind: LedgerKind;
  readonly reference: string;
  readonly stripeObjectId?: string;
  readonly lines: readonly PostingLine[];
}

export const ESCROW_CONFLICT_CODES = ['escrow_not_held', 'escrow_frozen', 'escrow_not_payable'] as const;

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

type Guard = (escrow: EscrowState, event: EscrowEvent) => Omit<EscrowFailure, 'ok' | 'currentStatus'> | null;

export interface EscrowTransition {
  readonly from: EscrowStatus;
  readonly event: EscrowEventType;
  readonly to: EscrowStatus;
  /** Several rows for one (from, event): the first whose `when` holds is the move. */
  readonly when?: (escrow: EscrowState, event: EscrowEvent) => boolean;
  readonly guard?: Guard;
}

const releasable: Guard = (escrow) => releaseRefusal(escrow);
const refundable: Guard = (escrow, event) => (event.type === 'refund' ? refundRefusal(escrow, event.amount) : null);
const wholeRefund = (escrow: EscrowState, event: EscrowEvent) => event.type === 'refund' && event.amount === heldAmount(escrow);
const payable: Guard = (escrow) =>
  escrow.payoutStatus === 'pending' && !escrow.transferId ? null : { code: 'escrow_not_payable', message: `The payout is ${escrow.payoutStatus}; nothing is owed.` };
const partnerPayable: Guard = (escrow) =>
  escrow.partnerPayoutStatus === 'pending' && !escrow.partnerTransferId
    ? null
    : { code: 'escrow_not_payable', message: `The partner's payout is ${escrow.partnerPayoutStatus}; nothing is owed.` };

const STATUSES: readonly EscrowStatus[] = ['requires_payment', 'held', 'released', 'refunded', 'partially_refunded', 'cancelled'];

/**
 * The escrow's moves. Freezing keeps any status (a chargeback may come before funding, or hit an
 * older escrow of the request); a Transfer — the expert's or the partner's — is recorded on
 * released money only.
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
  ...STATUSES.map((status) => ({ from: status, event: 'freeze' as const, to: status })),
  { from: 'released', event: 'transfer_recorded', to: 'released', guard: payable },
  { from: 'partially_refunded', event: 'transfer_recorded', to: 'partially_refunded', guard: payable },
  { from: 'released', event: 'partner_transfer_recorded', to: 'released', guard: partnerPayable },
  { from: 'partially_refunded', event: 'partner_transfer_recorded', to: 'partially_refunded', guard: partnerPayable },
];

/** The one apply: find the row, check its guard, then name the columns and the postings. */
export function applyEscrowEvent(escrow: EscrowState, event: EscrowEvent, ctx: EscrowEventContext): EscrowTransitionResult {
  const rows = ESCROW_TRANSITIONS.filter((t) => t.from === escrow.status && t.event === event.type);
  const row = rows.find((t) => !t.when || t.when(escrow, event));
  if (!row) return refused(escrow, { code: 'escrow_not_held', message: `The escrow is ${escrow.status}; ${event.type} is not possible.` });
  const problem = row.guard?.(escrow, event);
  if (problem) return refused(escrow, problem);
  const { changes, postings } = effectOf(escrow, event, ctx.now);
  return { ok: true, changes: { ...changes, ...(row.to !== escrow.status && { status: row.to }) }, postings };
}

function effectOf(escrow: EscrowState, event: EscrowEvent, now: Date): { changes: EscrowChanges; postings: PostingDraft[] } {
  const funding = (chargeId: string): PostingDraft => ({ kind: 'funding', reference: `funding:${escrow.id}`, stripeObjectId: chargeId, lines: fundingLines(escrow.amount) });
  switch (event.type) {
    case 'fund': {
      const partner = event.partner ? { partnerId: event.partner.partnerId, partnerShareBps: event.partner.shareBps } : {};
      return { changes: { chargeId: event.chargeId, fundedAt: now, clientSecret: null, paymentIntentFailedAt: null, ...partner }, postings: [funding(event.chargeId)] };
    }
    case 'fund_and_refund':
      return {
        changes: { chargeId: event.chargeId, fundedAt: now, refundedAmount: escrow.amount, refundedAt: now, clientSecret: null },
        postings: [funding(event.chargeId), { kind: 'refund', reference: event.refundKey, lines: refundLines(escrow.amount) }],
      };
    case 'cancel':
      return { changes: { clientSecret: null }, postings: [] };
    case 'release': {
      const released = heldAmount(escrow);
      const { platformFee, expertPayout } = releaseSplit(escrow);
      // M9: the partner's share is of the fee this release keeps (after a split, the fee on the rest).
      const { partnerShare, platformNet } = splitPartnerShare(platformFee, escrow.partnerShareBps);
      const posting: PostingDraft = { kind: 'release', reference: `release:${escrow.id}`, lines: releaseLines(released, platformNet, expertPayout, partnerShare) };
      return {
        changes: {
          releasedAt: now,
          releaseReason: event.reason,
          payoutStatus: expertPayout > 0 ? 'pending' : 'none',
          ...(partnerShare > 0 && { partnerPayoutStatus: 'pending' as const }),
        },
        postings: released > 0 ? [posting] : [],
      };
    }
    case 'refund':
      return {
        changes: { refundedAmount: escrow.refundedAmount + event.amount, refundedAt: now },
        postings: [{ kind: 'refund', reference: event.refundKey, lines: refundLines(event.amount) }],
      };
    case 'freeze':
      return { changes: escrow.frozen ? {} : { frozen: true }, postings: [] };
    case 'transfer_recorded':
      return {
        changes: { transferId: event.transferId, payoutStatus: 'paid' },
        postings: [{ kind: 'payout', reference: `transfer:${escrow.id}`, stripeObjectId: event.transferId, lines: payoutLines(event.amount) }],
      };
    case 'partner_transfer_recorded':
      return {
        changes: { partnerTransferId: event.transferId, partnerPayoutStatus: 'paid' },
        postings: [
          { kind: 'partner_payout', reference: `transfer:partner:${escrow.id}`, stripeObjectId: event.transferId, lines: partnerPayoutLines(event.amount) },
        ],
      };
  }
}

function refused(escrow: EscrowState, problem: Omit<EscrowFailure, 'ok' | 'currentStatus'>): EscrowFailure {
  return { ok: false, ...problem, currentStatus: escrow.status };
}

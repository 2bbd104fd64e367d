/**
 * A bid's life (contract §3 "Bids") as `{from, event, to, guard}` rows and one `applyBidEvent()`,
 * the bid moves that follow a request's move, and the pure bid rules. No Nest, no database.
 */
import { Money } from '../../payments/domain/money';
import { RequestEvent, RequestStatus } from '../../requests/domain/request-state';

export { checkMoney, CURRENCIES, MAX_AMOUNT, MIN_AMOUNT } from '../../payments/domain/money';
export type { Currency, Money, MoneyCheck, MoneyFailure } from '../../payments/domain/money';

export const BID_STATUSES = ['active', 'accepted', 'withdrawn', 'rejected'] as const;
export type BidStatus = (typeof BID_STATUSES)[number];

export const BID_EVENT_TYPES = ['withdraw', 'accept', 'reject', 'reinstate', 'edit'] as const;
export type BidEventType = (typeof BID_EVENT_TYPES)[number];

export interface BidEventContext {
  /** The request's status when the use case starts, before the request itself moves in it. */
  readonly requestStatus: RequestStatus;
}

/** Every code a refused bid move answers with; all 409. */
export const BID_CONFLICT_CODES = {
  bid_not_active: 409,
  bid_not_accepted: 409,
  request_not_open: 409,
} as const;
export type BidConflictCode = keyof typeof BID_CONFLICT_CODES;

export interface BidFailure {
  readonly ok: false;
  readonly code: BidConflictCode;
  readonly status: 409;
  readonly message: string;
  readonly currentStatus: BidStatus;
}

export type BidTransitionResult = { readonly ok: true; readonly next: BidStatus } | BidFailure;

type Guard = (status: BidStatus, ctx: BidEventContext) => BidFailure | null;

export interface BidTransition {
  readonly from: BidStatus;
  readonly event: BidEventType;
  readonly to: BidStatus;
  readonly guard?: Guard;
}

const requestOpen: Guard = (status, ctx) =>
  ctx.requestStatus === 'open'
    ? null
    : bidFailure('request_not_open', status, `The request is ${ctx.requestStatus}; this needs it open.`);

/**
 * `reject` from `accepted` is the one row beyond "active → rejected": cancelling a request that
 * awaits payment rejects all its bids (contract: "all bids rejected"), the accepted one included.
 */
export const BID_TRANSITIONS: readonly BidTransition[] = [
  { from: 'active', event: 'withdraw', to: 'withdrawn', guard: requestOpen },
  { from: 'active', event: 'edit', to: 'active', guard: requestOpen },
  { from: 'active', event: 'accept', to: 'accepted', guard: requestOpen },
  { from: 'active', event: 'reject', to: 'rejected' },
  { from: 'accepted', event: 'reject', to: 'rejected' },
  { from: 'accepted', event: 'reinstate', to: 'active' },
];

const REQUIRED_FOR: Record<BidEventType, BidConflictCode> = {
  withdraw: 'bid_not_active',
  edit: 'bid_not_active',
  accept: 'bid_not_active',
  reject: 'bid_not_active',
  reinstate: 'bid_not_accepted',
};

export function applyBidEvent(status: BidStatus, event: BidEventType, ctx: BidEventContext): BidTransitionResult {
  const row = BID_TRANSITIONS.find((t) => t.from === status && t.event === event);
  if (!row) {
    const needs = REQUIRED_FOR[event] === 'bid_not_accepted' ? 'accepted' : 'active';
    return bidFailure(REQUIRED_FOR[event], status, `The bid is ${status}; ${event} needs it ${needs}.`);
  }
  return row.guard?.(status, ctx) ?? { ok: true, next: row.to };
}

function bidFailure(code: BidConflictCode, currentStatus: BidStatus, message: string): BidFailure {
  return { ok: false, code, status: 409, message, currentStatus };
}

export interface BidMove {
  readonly bidId: string;
  readonly event: BidEventType;
}

/**
 * The bid moves that go with a request move, in the same transaction:
 * accept → that bid accepted; funded → the other active bids rejected; payment window lapsed →
 * the accepted bid active again; cancel → every active or accepted bid rejected; bidding closed
 * (expired) → the remaining active bids rejected. Other request moves leave the bids alone.
 */
export function bidMovesFor(
  event: RequestEvent,
  bids: readonly { readonly id: string; readonly status: BidStatus }[],
): BidMove[] {
  const where = (pred: (status: BidStatus) => boolean, bidEvent: BidEventType) =>
    bids.filter((b) => pred(b.status)).map((b) => ({ bidId: b.id, event: bidEvent }));
  switch (event.type) {
    case 'accept_bid':
      return [{ bidId: event.bidId, event: 'accept' }];
    case 'escrow_funded':
    case 'bidding_closed':
      return where((s) => s === 'active', 'reject');
    case 'payment_window_lapsed':
      return where((s) => s === 'accepted', 'reinstate');
    case 'cancel':
      return where((s) => s === 'active' || s === 'accepted', 'reject');
    default:
      return [];
  }
}

/** Business-rule refusals of a bid's content; 422 per the contract. */
export const BID_RULE_CODES = { bid_over_budget: 422, currency_mismatch: 422 } as const;
export type BidRuleCode = keyof typeof BID_RULE_CODES;

export interface BidRuleFailure {
  readonly ok: false;
  readonly code: BidRuleCode;
  readonly status: 422;
  readonly param: 'amount';
  readonly message: string;
}

export type BidRuleCheck = { readonly ok: true } | BidRuleFailure;

/**
 * A (valid) bid amount against the request's optional budget: same currency, not above it.
 * Currency is checked first: comparing 900 gbp against a 1000 usd budget means nothing.
 */
export function checkBidAmount(amount: Money, maxBudget: Money | null | undefined): BidRuleCheck {
  if (!maxBudget) return { ok: true };
  if (amount.currency !== maxBudget.currency) {
    return ruleFailure('currency_mismatch', `The bid must be in ${maxBudget.currency}, the currency of the budget.`);
  }
  if (amount.amount > maxBudget.amount) {
    return ruleFailure('bid_over_budget', `The bid of ${amount.amount} is above the budget of ${maxBudget.amount}.`);
  }
  return { ok: true };
}

function ruleFailure(code: BidRuleCode, message: string): BidRuleFailure {
  return { ok: false, code, status: 422, param: 'amount', message };
}

export const BIDDING_CODES = { request_not_open: 409, bidding_closed: 409 } as const;

export type BiddingCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: keyof typeof BIDDING_CODES; readonly status: 409; readonly message: string };

/**
 * Whether a new bid may be placed now: the request open and its bidding not yet closed (the
 * expiry timer may not have run yet when biddingClosesAt passes).
 */
export function checkCanBid(request: { status: RequestStatus; biddingClosesAt: Date }, now: Date): BiddingCheck {
  if (request.status !== 'open') {
    return { ok: false, code: 'request_not_open', status: 409, message: `The request is ${request.status}.` };
  }
  if (now.getTime() >= request.biddingClosesAt.getTime()) {
    return { ok: false, code: 'bidding_closed', status: 409, message: 'Bidding on this request has closed.' };
  }
  return { ok: true };
}

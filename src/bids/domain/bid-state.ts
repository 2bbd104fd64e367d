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

/** Every code a refused bid move answers with (the error filter maps them to 409). */
export const BID_CONFLICT_CODES = ['bid_not_active', 'bid_not_accepted', 'request_not_open'] as const;
export type BidConflictCode = (typeof BID_CONFLICT_CODES)[number];

export interface BidFailure {
  readonly ok: false;
  readonly code: BidConflictCode;
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
  return { ok: false, code, message, currentStatus };
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
  if (event.type === 'accept_bid') return [{ bidId: event.bidId, event: 'accept' }];
  const moved = BIDS_MOVED_BY[event.type];
  if (!moved) return [];
  return bids.filter((b) => moved.from.includes(b.status)).map((b) => ({ bidId: b.id, event: moved.event }));
}

/** Which of a request's bids a request event moves, and how (accept names its own bid). */
const BIDS_MOVED_BY: Partial<Record<RequestEvent['type'], { from: readonly BidStatus[]; event: BidEventType }>> = {
  escrow_funded: { from: ['active'], event: 'reject' },
  bidding_closed: { from: ['active'], event: 'reject' },
  payment_window_lapsed: { from: ['accepted'], event: 'reinstate' },
  cancel: { from: ['active', 'accepted'], event: 'reject' },
};

/** The bid statuses a request event may move: the bids the lifecycle must lock for it (none: no bid moves). */
export function bidStatusesMovedBy(event: RequestEvent): readonly BidStatus[] {
  return event.type === 'accept_bid' ? ['active'] : (BIDS_MOVED_BY[event.type]?.from ?? []);
}

/**
 * How a bid move changes the expert's load (active jobs, which matching weighs): winning a request
 * adds one, losing the win (payment window lapsed, request cancelled) takes it back. A job that
 * ends by completion or refund moves the load with the expert's other counters instead.
 */
export function loadDelta(from: BidStatus, to: BidStatus): -1 | 0 | 1 {
  if (from !== 'accepted' && to === 'accepted') return 1;
  if (from === 'accepted' && to !== 'accepted') return -1;
  return 0;
}

/** Business-rule refusals of a bid's content (the error filter maps them to 422). */
export const BID_RULE_CODES = ['bid_over_budget', 'currency_mismatch'] as const;
export type BidRuleCode = (typeof BID_RULE_CODES)[number];

export interface BidRuleFailure {
  readonly ok: false;
  readonly code: BidRuleCode;
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
  return { ok: false, code, param: 'amount', message };
}

export type BiddingCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: 'request_not_open' | 'bidding_closed'; readonly message: string };

/**
 * Whether a new bid may be placed now: the request open and its bidding not yet closed (the
 * expiry timer may not have run yet when biddingClosesAt passes).
 */
export function checkCanBid(request: { status: RequestStatus; biddingClosesAt: Date }, now: Date): BiddingCheck {
  if (request.status !== 'open') {
    return { ok: false, code: 'request_not_open', message: `The request is ${request.status}.` };
  }
  if (now.getTime() >= request.biddingClosesAt.getTime()) {
    return { ok: false, code: 'bidding_closed', message: 'Bidding on this request has closed.' };
  }
  return { ok: true };
}

/**
 * The help request's life (contract §3 "Request status") as one table of
 * `{from, event, to, guard}` rows and one `applyRequestEvent()`. Pure: the clock comes in `ctx`.
 */

export const REQUEST_STATUSES = [
  'open',
  'awaiting_payment',
  'in_progress',
  'resolved',
  'completed',
  'disputed',
  'refunded',
  'cancelled',
  'expired',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const FINAL_REQUEST_STATUSES: readonly RequestStatus[] = ['completed', 'refunded', 'cancelled', 'expired'];

export const REQUEST_EVENT_TYPES = [
  'accept_bid',
  'cancel',
  'bidding_closed',
  'payment_window_lapsed',
  'escrow_funded',
  'resolve',
  'review_resolved',
  'review_unresolved',
  'auto_release',
  'open_dispute',
  'hold_limit_reached',
  'chargeback',
  'admin_release',
  'admin_refund',
  'admin_split',
] as const;
export type RequestEventType = (typeof REQUEST_EVENT_TYPES)[number];

export type RequestEvent =
  | { readonly type: 'accept_bid'; readonly bidId: string }
  | { readonly type: Exclude<RequestEventType, 'accept_bid'> };

/** The request fields the rules read and write; the entity carries these columns. */
export interface RequestSnapshot {
  readonly status: RequestStatus;
  /** Set by accept, cleared when the payment window lapses or the request is cancelled, then kept. */
  readonly acceptedBidId: string | null;
  readonly biddingClosesAt: Date;
  readonly acceptedAt: Date | null;
  readonly fundedAt: Date | null;
  readonly reviewDueAt: Date | null;
}

/** A subset of AppConfig, so the config object can be passed as is. */
export interface RequestTimerSettings {
  readonly paymentWindowHours: number;
  readonly reviewWindowHours: number;
  readonly maxHoldDays: number;
}

export interface RequestEventContext {
  readonly now: Date;
  readonly settings: RequestTimerSettings;
}

/**
 * Every code a refused move answers with; all 409. Scheme: `request_not_<status the event needs>`,
 * except cancel once money is held, which the contract names `request_in_progress`, and a timer
 * fired before it is due (only the job runner sees that one).
 */
export const REQUEST_CONFLICT_CODES = {
  request_not_open: 409,
  request_not_awaiting_payment: 409,
  request_not_in_progress: 409,
  request_not_resolved: 409,
  request_not_disputable: 409,
  request_not_disputed: 409,
  request_in_progress: 409,
  timer_not_due: 409,
} as const;
export type RequestConflictCode = keyof typeof REQUEST_CONFLICT_CODES;

export interface RequestFailure {
  readonly ok: false;
  readonly code: RequestConflictCode;
  readonly status: 409;
  readonly message: string;
  readonly currentStatus: RequestStatus;
}

export type RequestTransitionResult = { readonly ok: true; readonly next: RequestSnapshot } | RequestFailure;

type Guard = (request: RequestSnapshot, ctx: RequestEventContext) => RequestFailure | null;

export interface RequestTransition {
  readonly from: RequestStatus;
  readonly event: RequestEventType;
  readonly to: RequestStatus;
  readonly guard?: Guard;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Timers fire on or after their instant; these are the instants, shared with the guards below. */
export function paymentWindowEndsAt(r: RequestSnapshot, s: RequestTimerSettings): Date | null {
  return r.acceptedAt ? new Date(r.acceptedAt.getTime() + s.paymentWindowHours * HOUR_MS) : null;
}
export function holdLimitAt(r: RequestSnapshot, s: RequestTimerSettings): Date | null {
  return r.fundedAt ? new Date(r.fundedAt.getTime() + s.maxHoldDays * DAY_MS) : null;
}

function dueAt(instant: (r: RequestSnapshot, s: RequestTimerSettings) => Date | null): Guard {
  return (request, ctx) => {
    const at = instant(request, ctx.settings);
    if (at && ctx.now.getTime() >= at.getTime()) return null;
    return failure('timer_not_due', request.status, `The timer is not due yet (due ${at?.toISOString() ?? 'never'}).`);
  };
}

const biddingClosed = dueAt((r) => r.biddingClosesAt);
const paymentWindowOver = dueAt(paymentWindowEndsAt);
const reviewWindowOver = dueAt((r) => r.reviewDueAt);
const holdLimitPassed = dueAt(holdLimitAt);

/**
 * Exactly the contract's table. A chargeback after release (completed) is not here on purpose:
 * completed stays final and payments records the lost money; a chargeback on an already
 * disputed request changes nothing here either (request_not_disputable), the freeze is payments'.
 */
export const REQUEST_TRANSITIONS: readonly RequestTransition[] = [
  { from: 'open', event: 'accept_bid', to: 'awaiting_payment' },
  { from: 'open', event: 'cancel', to: 'cancelled' },
  { from: 'open', event: 'bidding_closed', to: 'expired', guard: biddingClosed },
  { from: 'awaiting_payment', event: 'escrow_funded', to: 'in_progress' },
  { from: 'awaiting_payment', event: 'cancel', to: 'cancelled' },
  { from: 'awaiting_payment', event: 'payment_window_lapsed', to: 'open', guard: paymentWindowOver },
  { from: 'in_progress', event: 'resolve', to: 'resolved' },
  { from: 'in_progress', event: 'open_dispute', to: 'disputed' },
  { from: 'in_progress', event: 'chargeback', to: 'disputed' },
  { from: 'in_progress', event: 'hold_limit_reached', to: 'disputed', guard: holdLimitPassed },
  { from: 'resolved', event: 'review_resolved', to: 'completed' },
  { from: 'resolved', event: 'review_unresolved', to: 'disputed' },
  { from: 'resolved', event: 'auto_release', to: 'completed', guard: reviewWindowOver },
  { from: 'resolved', event: 'open_dispute', to: 'disputed' },
  { from: 'resolved', event: 'chargeback', to: 'disputed' },
  { from: 'disputed', event: 'admin_release', to: 'completed' },
  { from: 'disputed', event: 'admin_refund', to: 'refunded' },
  { from: 'disputed', event: 'admin_split', to: 'completed' },
];

/** The status-ish each event needs, for the code of a wrong move. */
const REQUIRED_FOR: Record<RequestEventType, { code: RequestConflictCode; needs: string }> = {
  accept_bid: { code: 'request_not_open', needs: 'open' },
  cancel: { code: 'request_not_open', needs: 'open or awaiting_payment' },
  bidding_closed: { code: 'request_not_open', needs: 'open' },
  payment_window_lapsed: { code: 'request_not_awaiting_payment', needs: 'awaiting_payment' },
  escrow_funded: { code: 'request_not_awaiting_payment', needs: 'awaiting_payment' },
  resolve: { code: 'request_not_in_progress', needs: 'in_progress' },
  hold_limit_reached: { code: 'request_not_in_progress', needs: 'in_progress' },
  review_resolved: { code: 'request_not_resolved', needs: 'resolved' },
  review_unresolved: { code: 'request_not_resolved', needs: 'resolved' },
  auto_release: { code: 'request_not_resolved', needs: 'resolved' },
  open_dispute: { code: 'request_not_disputable', needs: 'in_progress or resolved' },
  chargeback: { code: 'request_not_disputable', needs: 'in_progress or resolved' },
  admin_release: { code: 'request_not_disputed', needs: 'disputed' },
  admin_refund: { code: 'request_not_disputed', needs: 'disputed' },
  admin_split: { code: 'request_not_disputed', needs: 'disputed' },
};

/** Statuses in which money is held: cancelling then is refused with the contract's own code. */
const MONEY_HELD: readonly RequestStatus[] = ['in_progress', 'resolved', 'disputed'];

/** The code `event` gets when the request is in `status` and no row allows it. */
export function conflictCodeFor(event: RequestEventType, status: RequestStatus): RequestConflictCode {
  if (event === 'cancel' && MONEY_HELD.includes(status)) return 'request_in_progress';
  return REQUIRED_FOR[event].code;
}

/** The one apply: find the row, check its guard, then write the event's fields. */
export function applyRequestEvent(
  request: RequestSnapshot,
  event: RequestEvent,
  ctx: RequestEventContext,
): RequestTransitionResult {
  const row = REQUEST_TRANSITIONS.find((t) => t.from === request.status && t.event === event.type);
  if (!row) {
    const code = conflictCodeFor(event.type, request.status);
    const hint = code === 'request_in_progress' ? ' Open a dispute instead.' : '';
    const needs = REQUIRED_FOR[event.type].needs;
    return failure(code, request.status, `The request is ${request.status}; ${event.type} needs it ${needs}.${hint}`);
  }
  const refused = row.guard?.(request, ctx);
  if (refused) return refused;
  return { ok: true, next: { ...request, ...effectOf(event, ctx), status: row.to } };
}

/** What each event writes besides the status; events not listed write nothing else. */
function effectOf(event: RequestEvent, ctx: RequestEventContext): Partial<RequestSnapshot> {
  switch (event.type) {
    case 'accept_bid':
      return { acceptedBidId: event.bidId, acceptedAt: ctx.now };
    case 'payment_window_lapsed':
    case 'cancel':
      // The accepted bid goes back to active (lapse) or is rejected (cancel): no winner any more.
      return { acceptedBidId: null, acceptedAt: null };
    case 'escrow_funded':
      return { fundedAt: ctx.now };
    case 'resolve':
      return { reviewDueAt: new Date(ctx.now.getTime() + ctx.settings.reviewWindowHours * HOUR_MS) };
    default:
      return {};
  }
}

function failure(code: RequestConflictCode, currentStatus: RequestStatus, message: string): RequestFailure {
  return { ok: false, code, status: 409, message, currentStatus };
}

export type AutomaticTransitionName = 'expire' | 'payment_window_lapse' | 'auto_release' | 'hold_limit_escalation';

export interface AutomaticTransition {
  readonly name: AutomaticTransitionName;
  readonly at: Date;
}

/** The event a timer applies when it fires. */
export const TIMER_EVENTS: Record<AutomaticTransitionName, RequestEventType> = {
  expire: 'bidding_closed',
  payment_window_lapse: 'payment_window_lapsed',
  auto_release: 'auto_release',
  hold_limit_escalation: 'hold_limit_reached',
};

/** The timer that will move the request next (shown to front-ends as a countdown), or null. */
export function nextAutomaticTransition(
  request: RequestSnapshot,
  settings: RequestTimerSettings,
): AutomaticTransition | null {
  const timer = (name: AutomaticTransitionName, at: Date | null) => (at ? { name, at } : null);
  switch (request.status) {
    case 'open':
      return timer('expire', request.biddingClosesAt);
    case 'awaiting_payment':
      return timer('payment_window_lapse', paymentWindowEndsAt(request, settings));
    case 'in_progress':
      return timer('hold_limit_escalation', holdLimitAt(request, settings));
    case 'resolved':
      return timer('auto_release', request.reviewDueAt);
    default:
      return null;
  }
}

/** Statuses that must name an accepted bid; the rest must not (cancel and lapse clear it). */
export const STATUSES_WITH_ACCEPTED_BID: readonly RequestStatus[] = [
  'awaiting_payment',
  'in_progress',
  'resolved',
  'completed',
  'disputed',
  'refunded',
];

/** The model's invariants, as sentences; empty when the snapshot is consistent. */
export function requestInvariantViolations(request: RequestSnapshot): string[] {
  const violations: string[] = [];
  const needsBid = STATUSES_WITH_ACCEPTED_BID.includes(request.status);
  if (needsBid && !request.acceptedBidId) violations.push(`${request.status} without an accepted bid`);
  if (!needsBid && request.acceptedBidId) violations.push(`${request.status} with an accepted bid`);
  if (Boolean(request.acceptedBidId) !== Boolean(request.acceptedAt)) {
    violations.push('acceptedBidId and acceptedAt disagree');
  }
  const funded = MONEY_HELD.includes(request.status) || ['completed', 'refunded'].includes(request.status);
  if (funded && !request.fundedAt) violations.push(`${request.status} without fundedAt`);
  if (request.status === 'resolved' && !request.reviewDueAt) violations.push('resolved without reviewDueAt');
  return violations;
}

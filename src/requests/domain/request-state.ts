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
  'chargeback_won',
  'chargeback_lost',
  'reopen',
  'reopen_escalated',
  'warranty_ended',
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
  /** The status a dispute interrupted: a won chargeback goes back to it. */
  readonly disputedFrom?: RequestStatus | null;
  /** The accepted bid's warranty (0 = none), fixed at accept. */
  readonly warrantyDays?: number;
  /** While a warranty holdback is held: when the warranty ends (set at the release, cleared once the holdback is settled). */
  readonly warrantyEndsAt?: Date | null;
  /** 1, then 2 after a warranty reopen: the resolution round (one review per round). */
  readonly round?: number;
  readonly reopenedAt?: Date | null;
}

const SNAPSHOT_KEYS = [
  'status',
  'acceptedBidId',
  'biddingClosesAt',
  'acceptedAt',
  'fundedAt',
  'reviewDueAt',
  'disputedFrom',
  'warrantyDays',
  'warrantyEndsAt',
  'round',
  'reopenedAt',
] as const satisfies readonly (keyof RequestSnapshot)[];

/** A subset of AppConfig, so the config object can be passed as is. */
export interface RequestTimerSettings {
  readonly paymentWindowHours: number;
  readonly reviewWindowHours: number;
  readonly maxHoldDays: number;
  /** Days a reopened job has to be resolved again before it goes to an admin (REOPEN_RESOLVE_DAYS). */
  readonly reopenResolveDays: number;
}

export interface RequestEventContext {
  readonly now: Date;
  readonly settings: RequestTimerSettings;
}

/**
 * Every code a refused move answers with (the error filter maps them to 409). Scheme:
 * `request_not_<status the event needs>`, except cancel once money is held, which the contract
 * names `request_in_progress`, and a timer fired before it is due (only the job runner sees that one).
 */
export const REQUEST_CONFLICT_CODES = [
  'request_not_open',
  'request_not_awaiting_payment',
  'request_not_in_progress',
  'request_not_resolved',
  'request_not_disputable',
  'request_not_disputed',
  'request_not_completed',
  'request_in_progress',
  'timer_not_due',
  'no_warranty',
  'warranty_ended',
  'already_reopened',
] as const;
export type RequestConflictCode = (typeof REQUEST_CONFLICT_CODES)[number];

export interface RequestFailure {
  readonly ok: false;
  readonly code: RequestConflictCode;
  readonly message: string;
  readonly currentStatus: RequestStatus;
}

/**
 * The columns a move writes: its status and every field its effect names (the stamps included).
 * The lifecycle writes exactly these, so no caller picks a part of the result by hand.
 */
export interface RequestChanges extends Partial<RequestSnapshot> {
  readonly status: RequestStatus;
  /** Set when the request reaches a final status. */
  readonly closedAt?: Date | null;
  /** When the expert said it is fixed. */
  readonly resolvedAt?: Date;
  /** Completed by the review window's end, with no review. */
  readonly autoReleased?: boolean;
}

export type RequestTransitionResult =
  | { readonly ok: true; readonly next: RequestSnapshot; readonly changes: RequestChanges }
  | RequestFailure;

type Guard = (request: RequestSnapshot, ctx: RequestEventContext) => RequestFailure | null;

export interface RequestTransition {
  readonly from: RequestStatus;
  readonly event: RequestEventType;
  readonly to: RequestStatus;
  /** Several rows for one (from, event): the first whose `when` holds is the move. */
  readonly when?: (request: RequestSnapshot) => boolean;
  readonly guard?: Guard;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Timers fire on or after their instant; these are the instants, shared with the guards below. */
export function paymentWindowEndsAt(r: RequestSnapshot, s: RequestTimerSettings): Date | null {
  return r.acceptedAt ? new Date(r.acceptedAt.getTime() + s.paymentWindowHours * HOUR_MS) : null;
}
/** Only before the first release: a reopened job is governed by reopen_escalation. */
export function holdLimitAt(r: RequestSnapshot, s: RequestTimerSettings): Date | null {
  return r.fundedAt && roundOf(r) === 1 ? new Date(r.fundedAt.getTime() + s.maxHoldDays * DAY_MS) : null;
}
/** A reopened job not resolved within REOPEN_RESOLVE_DAYS goes to an admin. */
export function reopenEscalationAt(r: RequestSnapshot, s: RequestTimerSettings): Date | null {
  return r.reopenedAt && roundOf(r) > 1 ? new Date(r.reopenedAt.getTime() + s.reopenResolveDays * DAY_MS) : null;
}
const roundOf = (r: RequestSnapshot) => r.round ?? 1;
/** A round-2 request: what it settles is the warranty holdback. */
function reopened(r: RequestSnapshot): boolean {
  return roundOf(r) > 1;
}
/** The dispute interrupted a resolved request (a won chargeback goes back there). */
function wasResolved(r: RequestSnapshot): boolean {
  return r.disputedFrom === 'resolved';
}

type Instant = (r: RequestSnapshot, s: RequestTimerSettings) => Date | null;

export type AutomaticTransitionName = 'expire' | 'payment_window_lapse' | 'auto_release' | 'hold_limit_escalation' | 'reopen_escalation' | 'warranty_release';

/**
 * The request's timers, one row each: the state it belongs to, when it fires, and the event it
 * applies then. Entering the state schedules it; firing re-checks the state and the instant under
 * the row lock (the guards below use the same instant), so a stale or early timer changes nothing.
 */
export interface RequestTimer {
  readonly name: AutomaticTransitionName;
  readonly state: RequestStatus;
  readonly at: Instant;
  readonly event: RequestEventType;
}

export const REQUEST_TIMERS: readonly RequestTimer[] = [
  { name: 'expire', state: 'open', at: (r) => r.biddingClosesAt, event: 'bidding_closed' },
  { name: 'payment_window_lapse', state: 'awaiting_payment', at: paymentWindowEndsAt, event: 'payment_window_lapsed' },
  { name: 'hold_limit_escalation', state: 'in_progress', at: holdLimitAt, event: 'hold_limit_reached' },
  { name: 'auto_release', state: 'resolved', at: (r) => r.reviewDueAt, event: 'auto_release' },
  { name: 'reopen_escalation', state: 'in_progress', at: reopenEscalationAt, event: 'reopen_escalated' },
  // The holdback is paid when the warranty ends, unless the job was reopened (then it is settled by that round).
  { name: 'warranty_release', state: 'completed', at: (r) => r.warrantyEndsAt ?? null, event: 'warranty_ended' },
];

function timerNamed(name: AutomaticTransitionName): RequestTimer {
  return REQUEST_TIMERS.find((t) => t.name === name) as RequestTimer;
}

/** A timer's event is refused before the timer's own instant. */
function due(name: AutomaticTransitionName): Guard {
  const { at: instant } = timerNamed(name);
  return (request, ctx) => {
    const at = instant(request, ctx.settings);
    if (at && ctx.now.getTime() >= at.getTime()) return null;
    return failure('timer_not_due', request.status, `The request is ${request.status}; its ${name} timer is not due (due ${at?.toISOString() ?? 'never'}).`);
  };
}

const biddingClosed = due('expire');
const paymentWindowOver = due('payment_window_lapse');
const reviewWindowOver = due('auto_release');
const holdLimitPassed = due('hold_limit_escalation');
const reopenWindowOver = due('reopen_escalation');
const warrantyOver = due('warranty_release');

/** Reopen: a warranty, still running, and not reopened before. */
const reopenable: Guard = (request, ctx) => {
  if (!request.warrantyDays) return failure('no_warranty', request.status, `The request is ${request.status}, but its accepted bid came with no warranty.`);
  if (reopened(request)) return failure('already_reopened', request.status, `The request is ${request.status} after a reopen already: a job is reopened once.`);
  if (!request.warrantyEndsAt || ctx.now.getTime() >= request.warrantyEndsAt.getTime()) {
    const ended = request.warrantyEndsAt ? ` at ${request.warrantyEndsAt.toISOString()}` : '';
    return failure('warranty_ended', request.status, `The request is ${request.status} and its warranty ended${ended}.`);
  }
  return null;
};

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
  // A warranty dispute is over the holdback only: refunding it leaves the job completed.
  { from: 'disputed', event: 'admin_refund', to: 'completed', when: reopened },
  { from: 'disputed', event: 'admin_refund', to: 'refunded' },
  { from: 'disputed', event: 'admin_split', to: 'completed' },
  // A chargeback the bank decided: won, back to where it interrupted the job; lost with nothing
  // left held, over (refunded by the bank). Lost with money left, the admin settles the rest.
  { from: 'disputed', event: 'chargeback_won', to: 'resolved', when: wasResolved },
  { from: 'disputed', event: 'chargeback_won', to: 'in_progress' },
  { from: 'disputed', event: 'chargeback_lost', to: 'refunded' },
  // The fix warranty: the owner reopens a completed job within it (same expert, no new payment).
  { from: 'completed', event: 'reopen', to: 'in_progress', guard: reopenable },
  { from: 'in_progress', event: 'reopen_escalated', to: 'disputed', guard: reopenWindowOver },
  { from: 'completed', event: 'warranty_ended', to: 'completed', guard: warrantyOver },
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
  chargeback_won: { code: 'request_not_disputed', needs: 'disputed' },
  chargeback_lost: { code: 'request_not_disputed', needs: 'disputed' },
  reopen: { code: 'request_not_completed', needs: 'completed' },
  reopen_escalated: { code: 'request_not_in_progress', needs: 'in_progress' },
  warranty_ended: { code: 'request_not_completed', needs: 'completed' },
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
  const row = REQUEST_TRANSITIONS.find((t) => t.from === request.status && t.event === event.type && (!t.when || t.when(request)));
  if (!row) {
    const code = conflictCodeFor(event.type, request.status);
    const hint = code === 'request_in_progress' ? ' Open a dispute instead.' : '';
    const needs = REQUIRED_FOR[event.type].needs;
    return failure(code, request.status, `The request is ${request.status}; ${event.type} needs it ${needs}.${hint}`);
  }
  const refused = row.guard?.(request, ctx);
  if (refused) return refused;
  const changes: RequestChanges = {
    ...effectOf(event, ctx, request),
    ...(FINAL_REQUEST_STATUSES.includes(row.to) && row.to !== request.status && { closedAt: ctx.now }),
    status: row.to,
  };
  const next: RequestSnapshot = { ...request };
  for (const key of SNAPSHOT_KEYS) if (key in changes) Object.assign(next, { [key]: changes[key] });
  return { ok: true, next, changes };
}

/** What each event writes besides the status (and closedAt on a final status); others write nothing else. */
function effectOf(event: RequestEvent, ctx: RequestEventContext, request: RequestSnapshot): Omit<RequestChanges, 'status'> {
  const from = request.status;
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
      return { reviewDueAt: new Date(ctx.now.getTime() + ctx.settings.reviewWindowHours * HOUR_MS), resolvedAt: ctx.now };
    case 'auto_release':
      return { autoReleased: true, ...settled(request, ctx) };
    case 'review_resolved':
    case 'admin_release':
    case 'admin_split':
      return settled(request, ctx);
    case 'admin_refund':
      // Refunded before any release: no warranty; a warranty dispute's refund settles the holdback.
      return reopened(request) ? { warrantyEndsAt: null } : {};
    case 'reopen':
      // Round 2 with the same expert: the old review window goes, closedAt with it.
      return { round: 2, reopenedAt: ctx.now, reviewDueAt: null, closedAt: null, autoReleased: false };
    case 'reopen_escalated':
      return { disputedFrom: from };
    case 'warranty_ended':
      return { warrantyEndsAt: null };
    case 'open_dispute':
    case 'review_unresolved':
    case 'hold_limit_reached':
    case 'chargeback':
      return { disputedFrom: from };
    // Stryker disable next-line ConditionalExpression: an empty default returns undefined, and the caller spreads it, which adds nothing, as {} does
    default:
      return {};
  }
}

/**
 * What a completing move does to the warranty: the first release starts it (the holdback is held
 * until `warrantyEndsAt`); a reopened job's completion settles the holdback, so it is over.
 */
function settled(request: RequestSnapshot, ctx: RequestEventContext): Pick<RequestChanges, 'warrantyEndsAt'> {
  if (reopened(request)) return { warrantyEndsAt: null };
  return request.warrantyDays ? { warrantyEndsAt: new Date(ctx.now.getTime() + request.warrantyDays * DAY_MS) } : {};
}

function failure(code: RequestConflictCode, currentStatus: RequestStatus, message: string): RequestFailure {
  return { ok: false, code, message, currentStatus };
}

export interface AutomaticTransition {
  readonly name: AutomaticTransitionName;
  readonly at: Date;
}

/** The event a timer applies when it fires (from the timer table). */
export const TIMER_EVENTS = Object.fromEntries(REQUEST_TIMERS.map((t) => [t.name, t.event])) as Record<AutomaticTransitionName, RequestEventType>;

/** The timers of a status, with their instants (a timer without one is not scheduled). */
export function timersOf(request: RequestSnapshot, settings: RequestTimerSettings): AutomaticTransition[] {
  return REQUEST_TIMERS.filter((t) => t.state === request.status).flatMap((t) => {
    const at = t.at(request, settings);
    return at ? [{ name: t.name, at }] : [];
  });
}

/** The timer that will move the request next (shown to front-ends as a countdown), or null. */
export function nextAutomaticTransition(request: RequestSnapshot, settings: RequestTimerSettings): AutomaticTransition | null {
  // Stryker disable next-line MethodExpression,ArrowFunction,ArithmeticOperator: every status has one timer in REQUEST_TIMERS, so there is nothing to order yet
  const soonest = timersOf(request, settings).sort((a, b) => a.at.getTime() - b.at.getTime());
  return soonest[0] ?? null;
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

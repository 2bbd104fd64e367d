import { ERROR_CODES } from '../../common/errors/error-codes';
import {
  applyRequestEvent,
  FINAL_REQUEST_STATUSES,
  nextAutomaticTransition,
  REQUEST_EVENT_TYPES,
  REQUEST_STATUSES,
  REQUEST_TRANSITIONS,
  RequestEvent,
  RequestEventType,
  RequestSnapshot,
  RequestStatus,
  requestInvariantViolations,
  TIMER_EVENTS,
} from './request-state';

const settings = { paymentWindowHours: 24, reviewWindowHours: 168, maxHoldDays: 60, reopenResolveDays: 7 };
const HOUR = 3_600_000;
const t0 = new Date('2030-01-01T00:00:00Z');
const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);

/** A consistent snapshot in each status, with every timer long due at `late`. */
function snapshotIn(status: RequestStatus): RequestSnapshot {
  const accepted = !['open', 'cancelled', 'expired'].includes(status);
  const funded = accepted && status !== 'awaiting_payment';
  return {
    status,
    acceptedBidId: accepted ? 'bid-1' : null,
    acceptedAt: accepted ? at(1) : null,
    biddingClosesAt: at(72),
    fundedAt: funded ? at(2) : null,
    reviewDueAt: ['resolved', 'completed', 'disputed', 'refunded'].includes(status) ? at(200) : null,
    // A completed job with a warranty that ends exactly when every timer is due (`late`).
    ...(status === 'completed' && { warrantyDays: 7, warrantyEndsAt: at(24 * 365) }),
  };
}
const late = { now: at(24 * 365), settings };
const eventOf = (type: RequestEventType): RequestEvent =>
  type === 'accept_bid' ? { type, bidId: 'bid-2' } : ({ type } as RequestEvent);

// The contract's table, written out again so the spec checks the code rather than reading it back.
const ALLOWED: Record<string, RequestStatus> = {
  'open accept_bid': 'awaiting_payment',
  'open cancel': 'cancelled',
  'open bidding_closed': 'expired',
  'awaiting_payment escrow_funded': 'in_progress',
  'awaiting_payment cancel': 'cancelled',
  'awaiting_payment payment_window_lapsed': 'open',
  'in_progress resolve': 'resolved',
  'in_progress open_dispute': 'disputed',
  'in_progress chargeback': 'disputed',
  'in_progress hold_limit_reached': 'disputed',
  'resolved review_resolved': 'completed',
  'resolved review_unresolved': 'disputed',
  'resolved auto_release': 'completed',
  'resolved open_dispute': 'disputed',
  'resolved chargeback': 'disputed',
  'disputed admin_release': 'completed',
  'disputed admin_refund': 'refunded',
  'disputed admin_split': 'completed',
  'disputed chargeback_won (wasResolved)': 'resolved',
  'disputed chargeback_won': 'in_progress',
  'disputed chargeback_lost': 'refunded',
  'disputed admin_refund (reopened)': 'completed',
  'completed reopen': 'in_progress',
  'in_progress reopen_escalated': 'disputed',
  'completed warranty_ended': 'completed',
};

/** Allowed rows whose guard refuses the snapshots below at `late`, and the code they answer. */
const REFUSED_LATE: Record<string, string> = {
  'completed reopen': 'warranty_ended',
  'in_progress reopen_escalated': 'timer_not_due',
};

function expectedCode(status: RequestStatus, event: RequestEventType): string {
  if (event === 'cancel' && ['in_progress', 'resolved', 'disputed'].includes(status)) return 'request_in_progress';
  if (REFUSED_LATE[`${status} ${event}`]) return REFUSED_LATE[`${status} ${event}`];
  const byEvent: Record<RequestEventType, string> = {
    accept_bid: 'request_not_open',
    cancel: 'request_not_open',
    bidding_closed: 'request_not_open',
    payment_window_lapsed: 'request_not_awaiting_payment',
    escrow_funded: 'request_not_awaiting_payment',
    resolve: 'request_not_in_progress',
    hold_limit_reached: 'request_not_in_progress',
    review_resolved: 'request_not_resolved',
    review_unresolved: 'request_not_resolved',
    auto_release: 'request_not_resolved',
    open_dispute: 'request_not_disputable',
    chargeback: 'request_not_disputable',
    admin_release: 'request_not_disputed',
    admin_refund: 'request_not_disputed',
    admin_split: 'request_not_disputed',
    chargeback_won: 'request_not_disputed',
    chargeback_lost: 'request_not_disputed',
    reopen: 'request_not_completed',
    reopen_escalated: 'request_not_in_progress',
    warranty_ended: 'request_not_completed',
  };
  return byEvent[event];
}

/** The statuses the contract's table allows an event from, as a refusal names them. */
const statusesAllowing = (event: RequestEventType) =>
  [...new Set(Object.keys(ALLOWED).filter((k) => k.split(' ')[1] === event).map((k) => k.split(' ')[0]))].join(' or ');

const pairs = REQUEST_STATUSES.flatMap((status) => REQUEST_EVENT_TYPES.map((event) => [status, event] as const));

describe('request state table', () => {
  it('has exactly the contract rows', () => {
    const rows = Object.fromEntries(REQUEST_TRANSITIONS.map((r) => [`${r.from} ${r.event}${r.when ? ` (${r.when.name})` : ''}`, r.to]));
    expect(rows).toEqual(ALLOWED);
    expect(REQUEST_TRANSITIONS).toHaveLength(Object.keys(ALLOWED).length);
  });

  it.each(pairs)('%s + %s', (status, event) => {
    const before = snapshotIn(status);
    const result = applyRequestEvent(before, eventOf(event), late);
    const target = REFUSED_LATE[`${status} ${event}`] ? undefined : ALLOWED[`${status} ${event}`];
    if (target) {
      expect(result).toMatchObject({ ok: true, next: { status: target } });
      if (result.ok) expect(requestInvariantViolations(result.next)).toEqual([]);
    } else {
      const code = expectedCode(status, event);
      expect(result).toMatchObject({ ok: false, code, currentStatus: status });
      if (!result.ok) expect(ERROR_CODES[result.code]).toBe(409);
      const hint = code === 'request_in_progress' ? ' Open a dispute instead.' : '';
      // A refusal by state names the states the event needs; one by a row's guard (a timer not due, a warranty ended) says why.
      const byState = !statusesAllowing(event).split(' or ').includes(status);
      if (!result.ok && byState) expect(result.message).toBe(`The request is ${status}; ${event} needs it ${statusesAllowing(event)}.${hint}`);
    }
    expect(before).toEqual(snapshotIn(status)); // never mutated
  });

  it.each(pairs)('%s + %s stamps closedAt exactly when it ends the request (completed, refunded, cancelled, expired)', (status, event) => {
    const target = ALLOWED[`${status} ${event}`];
    const result = applyRequestEvent(snapshotIn(status), eventOf(event), late);
    if (!target || !result.ok) return;
    // A completed job's warranty events (the holdback's end) keep the closedAt it has.
    const ends = target !== status && ['completed', 'refunded', 'cancelled', 'expired'].includes(target);
    expect(result.changes.closedAt).toEqual(ends ? late.now : undefined);
  });

  it.each(FINAL_REQUEST_STATUSES)('%s is final: every event is refused (completed: but the warranty\'s reopen and end)', (status) => {
    const warranty: readonly RequestEventType[] = status === 'completed' ? ['reopen', 'warranty_ended'] : [];
    for (const event of REQUEST_EVENT_TYPES.filter((e) => !warranty.includes(e))) {
      expect(applyRequestEvent(snapshotIn(status), eventOf(event), late).ok).toBe(false);
    }
  });

  it('C1 a second accept on a request awaiting payment → request_not_open', () => {
    const first = applyRequestEvent(snapshotIn('open'), { type: 'accept_bid', bidId: 'a' }, late);
    if (!first.ok) throw new Error(first.message);
    expect(applyRequestEvent(first.next, { type: 'accept_bid', bidId: 'b' }, late)).toMatchObject({
      ok: false,
      code: 'request_not_open',
    });
    expect(first.next.acceptedBidId).toBe('a');
  });

  it('cancel once money is held says request_in_progress and points to a dispute', () => {
    const result = applyRequestEvent(snapshotIn('in_progress'), { type: 'cancel' }, late);
    expect(result).toMatchObject({ ok: false, code: 'request_in_progress' });
    if (!result.ok) expect(result.message).toMatch(/dispute/);
  });
});

describe('request effects', () => {
  const now = at(10);
  it.each(['open_dispute', 'review_unresolved', 'chargeback'] as const)('%s remembers the status it interrupted (disputedFrom)', (event) => {
    for (const from of ['in_progress', 'resolved'] as const) {
      const result = applyRequestEvent(snapshotIn(from), { type: event }, { now, settings });
      if (event === 'review_unresolved' && from === 'in_progress') {
        expect(result.ok).toBe(false);
        continue;
      }
      expect(result).toMatchObject({ ok: true, next: { status: 'disputed', disputedFrom: from }, changes: { disputedFrom: from } });
    }
  });

  it('hold_limit_reached remembers the status it interrupted too', () => {
    const result = applyRequestEvent(snapshotIn('in_progress'), { type: 'hold_limit_reached' }, late);
    expect(result).toMatchObject({ ok: true, next: { status: 'disputed', disputedFrom: 'in_progress' }, changes: { disputedFrom: 'in_progress' } });
  });

  it('a completion by the review window\'s end is marked autoReleased; one by a review is not', () => {
    expect(applyRequestEvent(snapshotIn('resolved'), { type: 'auto_release' }, late)).toEqual({
      ok: true,
      next: { ...snapshotIn('resolved'), status: 'completed' },
      changes: { autoReleased: true, closedAt: late.now, status: 'completed' },
    });
    const reviewed = applyRequestEvent(snapshotIn('resolved'), { type: 'review_resolved' }, late);
    expect(reviewed.ok && reviewed.changes.autoReleased).toBeFalsy();
  });

  it('M6 a won chargeback goes back to the status it interrupted; a lost one with nothing held ends refunded', () => {
    const disputed = (from: RequestStatus): RequestSnapshot => ({ ...snapshotIn('disputed'), disputedFrom: from });
    expect(applyRequestEvent(disputed('resolved'), { type: 'chargeback_won' }, { now, settings })).toMatchObject({ ok: true, next: { status: 'resolved' } });
    expect(applyRequestEvent(disputed('in_progress'), { type: 'chargeback_won' }, { now, settings })).toMatchObject({ ok: true, next: { status: 'in_progress' } });
    const lost = applyRequestEvent(disputed('resolved'), { type: 'chargeback_lost' }, { now, settings });
    expect(lost).toMatchObject({ ok: true, next: { status: 'refunded' }, changes: { closedAt: now } });
    expect(applyRequestEvent(snapshotIn('completed'), { type: 'chargeback_won' }, { now, settings })).toMatchObject({ ok: false, code: 'request_not_disputed' });
  });

  it('accept sets the accepted bid and time; lapse and cancel clear them', () => {
    const accepted = applyRequestEvent(snapshotIn('open'), { type: 'accept_bid', bidId: 'b7' }, { now, settings });
    expect(accepted).toMatchObject({ ok: true, next: { acceptedBidId: 'b7', acceptedAt: now } });
    if (!accepted.ok) return;
    const lapsed = applyRequestEvent(accepted.next, { type: 'payment_window_lapsed' }, { now: at(34), settings });
    expect(lapsed).toMatchObject({ ok: true, next: { status: 'open', acceptedBidId: null, acceptedAt: null } });
    const cancelled = applyRequestEvent(accepted.next, { type: 'cancel' }, { now, settings });
    expect(cancelled).toMatchObject({ ok: true, next: { status: 'cancelled', acceptedBidId: null } });
  });

  it('funding stamps fundedAt; resolve sets reviewDueAt = now + REVIEW_WINDOW_HOURS', () => {
    const funded = applyRequestEvent(snapshotIn('awaiting_payment'), { type: 'escrow_funded' }, { now, settings });
    expect(funded).toMatchObject({ ok: true, next: { fundedAt: now, acceptedBidId: 'bid-1' } });
    const resolved = applyRequestEvent(snapshotIn('in_progress'), { type: 'resolve' }, { now, settings });
    expect(resolved).toMatchObject({ ok: true, next: { reviewDueAt: at(10 + 168) } });
  });
});

describe('timers', () => {
  it.each([
    ['open', 'bidding_closed', 'expire', at(72)],
    ['awaiting_payment', 'payment_window_lapsed', 'payment_window_lapse', at(1 + 24)],
    ['in_progress', 'hold_limit_reached', 'hold_limit_escalation', at(2 + 60 * 24)],
    ['resolved', 'auto_release', 'auto_release', at(200)],
  ] as const)('%s: %s is refused before its instant and applies from it on', (status, event, timer, due) => {
    const request = snapshotIn(status);
    const early = applyRequestEvent(request, { type: event }, { now: new Date(due.getTime() - 1), settings });
    const message = `The request is ${status}; its ${timer} timer is not due (due ${due.toISOString()}).`;
    expect(early).toMatchObject({ ok: false, code: 'timer_not_due', currentStatus: status, message });
    expect(applyRequestEvent(request, { type: event }, { now: due, settings }).ok).toBe(true);
  });

  it.each([
    ['open', 'expire', at(72)],
    ['awaiting_payment', 'payment_window_lapse', at(25)],
    ['in_progress', 'hold_limit_escalation', at(2 + 60 * 24)],
    ['resolved', 'auto_release', at(200)],
    ['completed', 'warranty_release', at(24 * 365)],
    ['disputed', null, null],
    ['refunded', null, null],
    ['cancelled', null, null],
    ['expired', null, null],
  ] as const)('%s → next automatic transition %s', (status, name, when) => {
    const next = nextAutomaticTransition(snapshotIn(status), settings);
    expect(next).toEqual(name ? { name, at: when } : null);
    if (next) expect(TIMER_EVENTS[next.name]).toBeDefined();
  });

  it('a timer without its instant (the payment window of a request never accepted) is never scheduled and never fires', () => {
    const unaccepted = { ...snapshotIn('awaiting_payment'), acceptedAt: null };
    expect(nextAutomaticTransition(unaccepted, settings)).toBeNull();
    expect(applyRequestEvent(unaccepted, { type: 'payment_window_lapsed' }, late)).toMatchObject({
      ok: false,
      code: 'timer_not_due',
      message: 'The request is awaiting_payment; its payment_window_lapse timer is not due (due never).',
    });
  });

  it('each timer applies its event exactly at its own instant', () => {
    for (const status of REQUEST_STATUSES) {
      const request = snapshotIn(status);
      const next = nextAutomaticTransition(request, settings);
      if (!next) continue;
      const event = { type: TIMER_EVENTS[next.name] } as RequestEvent;
      expect(applyRequestEvent(request, event, { now: next.at, settings }).ok).toBe(true);
    }
  });
});

describe('the fix warranty (issue 10)', () => {
  const now = at(300);
  const ctx = (when: Date) => ({ now: when, settings });
  const DAY = 24 * HOUR;
  const resolvedWith = (warrantyDays: number): RequestSnapshot => ({ ...snapshotIn('resolved'), warrantyDays });

  it('the first release starts the warranty: warrantyEndsAt = now + warrantyDays; without one nothing is held', () => {
    for (const event of ['review_resolved', 'auto_release'] as const) {
      expect(applyRequestEvent(resolvedWith(7), { type: event }, ctx(now))).toMatchObject({ ok: true, changes: { status: 'completed', warrantyEndsAt: new Date(now.getTime() + 7 * DAY) } });
      const none = applyRequestEvent(resolvedWith(0), { type: event }, ctx(now));
      expect(none.ok && 'warrantyEndsAt' in none.changes).toBe(false);
    }
    const disputed = { ...snapshotIn('disputed'), warrantyDays: 3 };
    expect(applyRequestEvent(disputed, { type: 'admin_split' }, ctx(now))).toMatchObject({ ok: true, changes: { warrantyEndsAt: new Date(now.getTime() + 3 * DAY) } });
    const refunded = applyRequestEvent(disputed, { type: 'admin_refund' }, ctx(now));
    expect(refunded).toMatchObject({ ok: true, next: { status: 'refunded' } });
    expect(refunded.ok && 'warrantyEndsAt' in refunded.changes).toBe(false);
  });

  it('reopen within the warranty: in_progress, round 2, the old review window and closedAt gone; refusals by code', () => {
    const completed: RequestSnapshot = { ...snapshotIn('completed'), warrantyDays: 7, warrantyEndsAt: at(400) };
    const reopened = applyRequestEvent(completed, { type: 'reopen' }, ctx(now));
    expect(reopened).toMatchObject({ ok: true, next: { status: 'in_progress', round: 2, reopenedAt: now, reviewDueAt: null }, changes: { closedAt: null } });
    if (reopened.ok) expect(requestInvariantViolations(reopened.next)).toEqual([]);
    expect(applyRequestEvent({ ...completed, warrantyDays: 0 }, { type: 'reopen' }, ctx(now))).toMatchObject({ ok: false, code: 'no_warranty' });
    expect(applyRequestEvent(completed, { type: 'reopen' }, ctx(at(400)))).toMatchObject({ ok: false, code: 'warranty_ended' });
    expect(applyRequestEvent({ ...completed, warrantyEndsAt: null }, { type: 'reopen' }, ctx(now))).toMatchObject({ ok: false, code: 'warranty_ended' });
    expect(applyRequestEvent({ ...completed, round: 2 }, { type: 'reopen' }, ctx(now))).toMatchObject({ ok: false, code: 'already_reopened' });
    expect(applyRequestEvent(snapshotIn('disputed'), { type: 'reopen' }, ctx(now))).toMatchObject({ ok: false, code: 'request_not_completed' });
    for (const code of ['no_warranty', 'warranty_ended', 'already_reopened', 'request_not_completed'] as const) expect(ERROR_CODES[code]).toBe(409);
  });

  it('a reopened job: the hold limit no longer applies, the reopen escalation does (REOPEN_RESOLVE_DAYS), then a warranty dispute ends completed whatever the admin decides', () => {
    const round2: RequestSnapshot = { ...snapshotIn('in_progress'), round: 2, reopenedAt: now, warrantyDays: 7, warrantyEndsAt: at(400) };
    expect(nextAutomaticTransition(round2, settings)).toEqual({ name: 'reopen_escalation', at: new Date(now.getTime() + 7 * DAY) });
    expect(applyRequestEvent(round2, { type: 'hold_limit_reached' }, late)).toMatchObject({ ok: false, code: 'timer_not_due' });
    expect(applyRequestEvent(round2, { type: 'reopen_escalated' }, ctx(new Date(now.getTime() + 7 * DAY - 1)))).toMatchObject({ ok: false, code: 'timer_not_due' });
    const escalated = applyRequestEvent(round2, { type: 'reopen_escalated' }, ctx(new Date(now.getTime() + 7 * DAY)));
    expect(escalated).toMatchObject({ ok: true, next: { status: 'disputed', disputedFrom: 'in_progress' } });
    if (!escalated.ok) return;
    for (const event of ['admin_release', 'admin_refund', 'admin_split'] as const) {
      expect(applyRequestEvent(escalated.next, { type: event }, ctx(now))).toMatchObject({ ok: true, next: { status: 'completed', warrantyEndsAt: null } });
    }
  });

  it('a round-2 review or auto-release settles the holdback (warrantyEndsAt cleared), so the warranty timer is gone', () => {
    const round2: RequestSnapshot = { ...snapshotIn('resolved'), round: 2, reopenedAt: at(250), warrantyDays: 7, warrantyEndsAt: at(400) };
    for (const event of ['review_resolved', 'auto_release'] as const) {
      const done = applyRequestEvent(round2, { type: event }, late);
      expect(done).toMatchObject({ ok: true, next: { status: 'completed', warrantyEndsAt: null } });
      if (done.ok) expect(nextAutomaticTransition(done.next, settings)).toBeNull();
    }
  });

  it('the warranty ends: a completed job stays completed, the holdback timer fires once (warrantyEndsAt cleared, closedAt kept)', () => {
    const completed: RequestSnapshot = { ...snapshotIn('completed'), warrantyDays: 7, warrantyEndsAt: at(400) };
    expect(applyRequestEvent(completed, { type: 'warranty_ended' }, ctx(at(399)))).toMatchObject({ ok: false, code: 'timer_not_due' });
    const ended = applyRequestEvent(completed, { type: 'warranty_ended' }, ctx(at(400)));
    expect(ended).toMatchObject({ ok: true, next: { status: 'completed', warrantyEndsAt: null } });
    expect(ended.ok && 'closedAt' in ended.changes).toBe(false);
    if (ended.ok) expect(applyRequestEvent(ended.next, { type: 'warranty_ended' }, ctx(at(401)))).toMatchObject({ ok: false, code: 'timer_not_due' });
  });
});

describe('requestInvariantViolations (what P1 checks after every step)', () => {
  it('a consistent snapshot in every status has none', () => {
    for (const status of REQUEST_STATUSES) expect(requestInvariantViolations(snapshotIn(status))).toEqual([]);
  });

  it.each<[string, RequestSnapshot, string[]]>([
    ['a winner lost once accepted', { ...snapshotIn('in_progress'), acceptedBidId: null, acceptedAt: null }, ['in_progress without an accepted bid']],
    ['a winner on an open request', { ...snapshotIn('open'), acceptedBidId: 'bid-1', acceptedAt: at(1) }, ['open with an accepted bid']],
    ['a winner on a cancelled request', { ...snapshotIn('cancelled'), acceptedBidId: 'bid-1', acceptedAt: at(1) }, ['cancelled with an accepted bid']],
    ['a winner without its time', { ...snapshotIn('awaiting_payment'), acceptedAt: null }, ['acceptedBidId and acceptedAt disagree']],
    ['an acceptance time without a winner', { ...snapshotIn('expired'), acceptedAt: at(1) }, ['acceptedBidId and acceptedAt disagree']],
    ['work without the money', { ...snapshotIn('in_progress'), fundedAt: null }, ['in_progress without fundedAt']],
    ['a dispute without the money', { ...snapshotIn('disputed'), fundedAt: null }, ['disputed without fundedAt']],
    ['completed without the money', { ...snapshotIn('completed'), fundedAt: null }, ['completed without fundedAt']],
    ['refunded without the money', { ...snapshotIn('refunded'), fundedAt: null }, ['refunded without fundedAt']],
    ['a review window without its end', { ...snapshotIn('resolved'), reviewDueAt: null }, ['resolved without reviewDueAt']],
  ])('%s is reported', (_name, snapshot, violations) => {
    expect(requestInvariantViolations(snapshot)).toEqual(violations);
  });

  it('awaiting payment is not funded yet: no fundedAt needed', () => {
    expect(requestInvariantViolations({ ...snapshotIn('awaiting_payment'), fundedAt: null })).toEqual([]);
  });
});

import fc from 'fast-check';
import { applyBidEvent, BidStatus, bidMovesFor, checkCanBid } from '../../bids/domain/bid-state';
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
  requestInvariantViolations,
  TIMER_EVENTS,
} from './request-state';

/**
 * P1 (domain half): one request and its bids driven by random use cases and a controllable
 * clock, each use case applied the way a service does it — the request's move and the bid moves
 * that follow it succeed together or not at all.
 */
const settings = { paymentWindowHours: 24, reviewWindowHours: 168, maxHoldDays: 60, reopenResolveDays: 7 };
const HOUR = 3_600_000;

type Step =
  | { kind: 'request'; event: RequestEventType; pick: number }
  | { kind: 'bid'; event: 'withdraw' | 'edit'; pick: number }
  | { kind: 'place' }
  | { kind: 'advance'; hours: number }
  | { kind: 'timer' };

// Forward moves are drawn more often, and the clock mostly moves in small steps, so walks get
// past funding instead of expiring early; the test below checks every status is reached.
const FORWARD: RequestEventType[] = [
  'accept_bid',
  'escrow_funded',
  'resolve',
  'review_resolved',
  'review_unresolved',
  'open_dispute',
];
const eventArb = fc.oneof(fc.constantFrom(...REQUEST_EVENT_TYPES), fc.constantFrom(...FORWARD));
const hoursArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 12 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 24 * 70 }) },
);
const bidEventArb = fc.constantFrom('withdraw' as const, 'edit' as const);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('request' as const), event: eventArb, pick: fc.nat(9) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('bid' as const), event: bidEventArb, pick: fc.nat(9) }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'place' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), hours: hoursArb }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'timer' as const }) },
);

const freshRequest = (): RequestSnapshot => ({
  status: 'open',
  acceptedBidId: null,
  acceptedAt: null,
  fundedAt: null,
  reviewDueAt: null,
  biddingClosesAt: new Date(Date.UTC(2030, 0, 4)),
});

interface World {
  request: RequestSnapshot;
  bids: { id: string; status: BidStatus }[];
  now: Date;
}

/** A use case: the request moves, then its bids; any refusal leaves the world as it was. */
function useCase(world: World, event: RequestEvent): { ok: boolean; world: World } {
  const moved = applyRequestEvent(world.request, event, { now: world.now, settings });
  if (!moved.ok) return { ok: false, world };
  const bids = world.bids.map((b) => ({ ...b }));
  for (const move of bidMovesFor(event, bids)) {
    const bid = bids.find((b) => b.id === move.bidId);
    if (!bid) return { ok: false, world };
    const result = applyBidEvent(bid.status, move.event, { requestStatus: world.request.status });
    if (!result.ok) return { ok: false, world };
    bid.status = result.next;
  }
  return { ok: true, world: { ...world, request: moved.next, bids } };
}

function step(world: World, s: Step): World {
  switch (s.kind) {
    case 'place': {
      if (!checkCanBid(world.request, world.now).ok) return world;
      return { ...world, bids: [...world.bids, { id: `bid-${world.bids.length}`, status: 'active' }] };
    }
    case 'advance':
      return { ...world, now: new Date(world.now.getTime() + s.hours * HOUR) };
    case 'bid': {
      const bid = world.bids[s.pick % Math.max(1, world.bids.length)];
      if (!bid) return world;
      const result = applyBidEvent(bid.status, s.event, { requestStatus: world.request.status });
      if (!result.ok) return world;
      return { ...world, bids: world.bids.map((b) => (b.id === bid.id ? { ...b, status: result.next } : b)) };
    }
    case 'timer': {
      const next = nextAutomaticTransition(world.request, settings);
      if (!next || next.at.getTime() > world.now.getTime()) return world;
      const fired = useCase(world, { type: TIMER_EVENTS[next.name] } as RequestEvent);
      // A due timer is always allowed: nextAutomaticTransition and the guards agree.
      must(fired.ok, `due timer ${next.name} refused`, world);
      return fired.world;
    }
    case 'request': {
      const bidId = world.bids[s.pick % Math.max(1, world.bids.length)]?.id ?? 'no-such-bid';
      const event = (s.event === 'accept_bid' ? { type: s.event, bidId } : { type: s.event }) as RequestEvent;
      return useCase(world, event).world;
    }
  }
}

const rowExists = (from: string, event: string, to: string) =>
  REQUEST_TRANSITIONS.some((r) => r.from === from && r.event === event && r.to === to);

/** A plain check: jest's expect is too slow for tens of thousands of steps. */
function must(condition: boolean, message: string, world: World): void {
  if (!condition) throw new Error(`${message}\n${JSON.stringify(world)}`);
}

function checkWorld(world: World): void {
  const { request, bids } = world;
  must(REQUEST_STATUSES.includes(request.status), 'status outside the table', world);
  const violations = requestInvariantViolations(request);
  must(violations.length === 0, violations.join('; '), world);
  const accepted = bids.filter((b) => b.status === 'accepted').map((b) => b.id);
  must(accepted.length <= 1, 'two accepted bids', world);
  must(accepted[0] === (request.acceptedBidId ?? undefined), 'acceptedBidId disagrees with the bids', world);
  const takingBids = request.status === 'open' || request.status === 'awaiting_payment';
  must(takingBids || !bids.some((b) => b.status === 'active'), `active bid on a ${request.status} request`, world);
}

describe('P1 request lifecycle (domain model)', () => {
  it('random use cases keep every invariant', () => {
    const reached = new Set<string>();
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 10, maxLength: 80, size: 'max' }), (steps) => {
        let world: World = {
          request: freshRequest(),
          bids: [],
          now: new Date(Date.UTC(2030, 0, 1)),
        };
        let winnerOnceFunded: string | null = null;
        for (const s of steps) {
          const before = world;
          world = step(world, s);
          checkWorld(world);
          const { status } = world.request;
          reached.add(status);
          if (status !== before.request.status) {
            // Never a state outside the table: every change is one of its rows.
            const timer = nextAutomaticTransition(before.request, settings);
            const event = s.kind === 'timer' && timer ? TIMER_EVENTS[timer.name] : s.kind === 'request' ? s.event : '?';
            const from = before.request.status;
            must(rowExists(from, event, status), `no row ${from} ${event} ${status}`, world);
          }
          const wasFinal = FINAL_REQUEST_STATUSES.includes(before.request.status);
          must(!wasFinal || status === before.request.status, 'a final state moved', world);
          // Never lose the accepted bid once the escrow is funded.
          if (world.request.fundedAt) {
            winnerOnceFunded ??= world.request.acceptedBidId;
            must(world.request.acceptedBidId === winnerOnceFunded, 'the funded winner changed', world);
          }
          const needsWinner = ['in_progress', 'resolved', 'completed'].includes(status);
          must(!needsWinner || world.request.acceptedBidId !== null, `${status} without an accepted bid`, world);
        }
      }),
      { numRuns: 1000 },
    );
    // The model is only worth something if the random walks reach every status.
    expect([...reached].sort()).toEqual([...REQUEST_STATUSES].sort());
  });

  it('a funded request keeps its winner through any later events', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...REQUEST_EVENT_TYPES), { maxLength: 40 }), (events) => {
        const base: World = {
          request: freshRequest(),
          bids: [{ id: 'a', status: 'active' }, { id: 'b', status: 'active' }],
          now: new Date(Date.UTC(2030, 0, 1)),
        };
        let world = useCase(base, { type: 'accept_bid', bidId: 'a' }).world;
        world = useCase(world, { type: 'escrow_funded' }).world;
        expect(world.bids).toEqual([{ id: 'a', status: 'accepted' }, { id: 'b', status: 'rejected' }]);
        for (const type of events) {
          // Two months on, so every timer that could apply is due.
          const later = { ...world, now: new Date(world.now.getTime() + 24 * 61 * HOUR) };
          const event = (type === 'accept_bid' ? { type, bidId: 'b' } : { type }) as RequestEvent;
          world = useCase(later, event).world;
          expect(world.request.acceptedBidId).toBe('a');
          checkWorld(world);
        }
      }),
    );
  });
});

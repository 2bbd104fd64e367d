import { ERROR_CODES } from '../../common/errors/error-codes';
import fc from 'fast-check';
import {
  applyBidEvent,
  BID_EVENT_TYPES,
  BID_STATUSES,
  BID_TRANSITIONS,
  BidEventType,
  BidStatus,
  bidMovesFor,
  bidStatusesMovedBy,
  checkBidAmount,
  checkCanBid,
  loadDelta,
} from './bid-state';
import { REQUEST_EVENT_TYPES, REQUEST_STATUSES, RequestEvent, RequestStatus } from '../../requests/domain/request-state';

// The contract's bid moves written out again; `true` marks a row that needs the request open.
const ALLOWED: Record<string, [BidStatus, boolean]> = {
  'active withdraw': ['withdrawn', true],
  'active edit': ['active', true],
  'active accept': ['accepted', true],
  'active reject': ['rejected', false],
  'accepted reject': ['rejected', false],
  'accepted reinstate': ['active', false],
};

const pairs = BID_STATUSES.flatMap((status) =>
  BID_EVENT_TYPES.flatMap((event) => REQUEST_STATUSES.map((req) => [status, event, req] as const)),
);

describe('bid state table', () => {
  it('has exactly the expected rows', () => {
    expect(Object.fromEntries(BID_TRANSITIONS.map((r) => [`${r.from} ${r.event}`, r.to]))).toEqual(
      Object.fromEntries(Object.entries(ALLOWED).map(([k, [to]]) => [k, to])),
    );
  });

  it.each(pairs)('%s + %s (request %s)', (status, event, requestStatus) => {
    const result = applyBidEvent(status, event, { requestStatus });
    const row = ALLOWED[`${status} ${event}`];
    if (!row) {
      const code = event === 'reinstate' ? 'bid_not_accepted' : 'bid_not_active';
      expect(result).toMatchObject({ ok: false, code, currentStatus: status });
      if (!result.ok) expect(ERROR_CODES[result.code]).toBe(409);
    } else if (row[1] && requestStatus !== 'open') {
      expect(result).toMatchObject({ ok: false, code: 'request_not_open', currentStatus: status });
      if (!result.ok) expect(ERROR_CODES[result.code]).toBe(409);
    } else {
      expect(result).toEqual({ ok: true, next: row[0] });
    }
  });

  it.each(['withdrawn', 'rejected'] as const)('%s is final', (status) => {
    for (const event of BID_EVENT_TYPES) {
      for (const requestStatus of REQUEST_STATUSES) {
        expect(applyBidEvent(status, event, { requestStatus }).ok).toBe(false);
      }
    }
  });

  it('random event sequences stay inside the table and leave final states alone', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...BID_EVENT_TYPES), fc.constantFrom(...REQUEST_STATUSES)), {
          maxLength: 30,
          size: 'max',
        }),
        (events: [BidEventType, RequestStatus][]) => {
          let status: BidStatus = 'active';
          for (const [event, requestStatus] of events) {
            const result = applyBidEvent(status, event, { requestStatus });
            if (['withdrawn', 'rejected'].includes(status)) expect(result.ok).toBe(false);
            if (!result.ok) continue;
            expect(ALLOWED[`${status} ${event}`]?.[0]).toBe(result.next);
            status = result.next;
          }
          expect(BID_STATUSES).toContain(status);
        },
      ),
    );
  });
});

describe('bid moves that follow a request move', () => {
  const bids = [
    { id: 'a', status: 'active' as const },
    { id: 'b', status: 'accepted' as const },
    { id: 'c', status: 'withdrawn' as const },
    { id: 'd', status: 'active' as const },
  ];
  it.each([
    [{ type: 'accept_bid', bidId: 'a' }, [{ bidId: 'a', event: 'accept' }]],
    [{ type: 'escrow_funded' }, [{ bidId: 'a', event: 'reject' }, { bidId: 'd', event: 'reject' }]],
    [{ type: 'bidding_closed' }, [{ bidId: 'a', event: 'reject' }, { bidId: 'd', event: 'reject' }]],
    [{ type: 'payment_window_lapsed' }, [{ bidId: 'b', event: 'reinstate' }]],
    [{ type: 'cancel' }, ['a', 'b', 'd'].map((bidId) => ({ bidId, event: 'reject' }))],
    [{ type: 'resolve' }, []],
    [{ type: 'admin_refund' }, []],
  ] as const)('%j', (event, moves) => {
    expect(bidMovesFor(event, bids)).toEqual(moves);
  });
});

describe('the bids a request move locks, and the expert load it changes', () => {
  const eventOf = (type: (typeof REQUEST_EVENT_TYPES)[number]): RequestEvent => (type === 'accept_bid' ? { type, bidId: 'a' } : ({ type } as RequestEvent));

  it.each([
    ['accept_bid', ['active']],
    ['escrow_funded', ['active']],
    ['bidding_closed', ['active']],
    ['payment_window_lapsed', ['accepted']],
    ['cancel', ['active', 'accepted']],
    ['resolve', []],
    ['admin_refund', []],
  ] as const)('%s locks the bids that are %j', (type, statuses) => {
    expect(bidStatusesMovedBy(eventOf(type))).toEqual(statuses);
  });

  it('every bid a request event moves is one the lifecycle locked, and every locked one moves (accept names its own bid)', () => {
    const othersThanAccept = REQUEST_EVENT_TYPES.filter((type) => type !== 'accept_bid');
    fc.assert(
      fc.property(fc.constantFrom(...othersThanAccept), fc.array(fc.constantFrom(...BID_STATUSES), { maxLength: 8 }), (type, statuses) => {
        const bids = statuses.map((status, i) => ({ id: `b${i}`, status }));
        const event = eventOf(type);
        const locked = bidStatusesMovedBy(event);
        const moved = bidMovesFor(event, bids).map((m) => bids.find((b) => b.id === m.bidId));
        expect(moved.every((b) => b && locked.includes(b.status))).toBe(true);
        expect(moved).toHaveLength(bids.filter((b) => locked.includes(b.status)).length);
      }),
    );
  });

  it.each([
    ['winning the request', 'active', 'accepted', 1],
    ['losing the win when the payment window lapses', 'accepted', 'active', -1],
    ['losing the win when the request is cancelled', 'accepted', 'rejected', -1],
    ['a bid rejected without winning', 'active', 'rejected', 0],
    ['a bid withdrawn', 'active', 'withdrawn', 0],
    ['an edit', 'active', 'active', 0],
  ] as const)('the expert\'s load after %s: %s → %s is %i', (_what, from, to, delta) => {
    expect(loadDelta(from, to)).toBe(delta);
  });

  it('the load counts accepted bids only: for any two statuses the change is (to accepted) − (from accepted)', () => {
    // Staying accepted included: only a move into or out of accepted changes the load.
    for (const from of BID_STATUSES) {
      for (const to of BID_STATUSES) {
        expect([from, to, loadDelta(from, to)]).toEqual([from, to, Number(to === 'accepted') - Number(from === 'accepted')]);
      }
    }
  });
});

describe('bid rules', () => {
  const usd = (amount: number) => ({ amount, currency: 'usd' as const });
  it('a bid up to the budget, or with no budget, is fine', () => {
    expect(checkBidAmount(usd(1000), usd(1000))).toEqual({ ok: true });
    expect(checkBidAmount(usd(999_999), null)).toEqual({ ok: true });
  });
  it('above the budget → 422 bid_over_budget', () => {
    const result = checkBidAmount(usd(1001), usd(1000));
    expect(result).toMatchObject({
      ok: false,
      code: 'bid_over_budget',
      param: 'amount',
    });
    if (!result.ok) expect(ERROR_CODES[result.code]).toBe(422);
  });
  it('another currency than the budget → 422 currency_mismatch, even when smaller', () => {
    const result = checkBidAmount({ amount: 600, currency: 'eur' }, usd(1000));
    expect(result).toMatchObject({
      ok: false,
      code: 'currency_mismatch',
    });
    if (!result.ok) expect(ERROR_CODES[result.code]).toBe(422);
  });
  it('bidding needs the request open and its bidding not closed', () => {
    const closes = new Date('2030-01-04T00:00:00Z');
    const open = { status: 'open' as const, biddingClosesAt: closes };
    expect(checkCanBid(open, new Date('2030-01-03T23:59:59Z'))).toEqual({ ok: true });
    expect(checkCanBid(open, closes)).toMatchObject({ ok: false, code: 'bidding_closed' });
    expect(checkCanBid({ status: 'awaiting_payment', biddingClosesAt: closes }, new Date('2030-01-01'))).toMatchObject({
      ok: false,
      code: 'request_not_open',
    });
  });
  it('each refusal says what it needs, in words a client can show', () => {
    expect(applyBidEvent('withdrawn', 'edit', { requestStatus: 'open' })).toMatchObject({ message: 'The bid is withdrawn; edit needs it active.' });
    expect(applyBidEvent('active', 'reinstate', { requestStatus: 'open' })).toMatchObject({ message: 'The bid is active; reinstate needs it accepted.' });
    expect(applyBidEvent('active', 'withdraw', { requestStatus: 'in_progress' })).toMatchObject({ message: 'The request is in_progress; this needs it open.' });
    expect(checkBidAmount({ amount: 600, currency: 'eur' }, usd(1000))).toMatchObject({ message: 'The bid must be in usd, the currency of the budget.' });
    expect(checkBidAmount(usd(1001), usd(1000))).toMatchObject({ message: 'The bid of 1001 is above the budget of 1000.' });
    const closes = new Date('2030-01-04T00:00:00Z');
    expect(checkCanBid({ status: 'cancelled', biddingClosesAt: closes }, new Date('2030-01-01'))).toMatchObject({ message: 'The request is cancelled.' });
    expect(checkCanBid({ status: 'open', biddingClosesAt: closes }, closes)).toMatchObject({ message: 'Bidding on this request has closed.' });
  });
});

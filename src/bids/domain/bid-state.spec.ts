import { ERROR_CODES } from '../../common/errors/error-codes';
import fc from 'fast-check';
import { REQUEST_STATUSES, RequestStatus } from '../../requests/domain/request-state';
import {
  applyBidEvent,
  BID_EVENT_TYPES,
  BID_STATUSES,
  BID_TRANSITIONS,
  BidEventType,
  BidStatus,
  bidMovesFor,
  checkBidAmount,
  checkCanBid,
} from './bid-state';

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
});

import {
  biddingWindowProblem,
  editRefusal,
  MAX_BIDDING_WINDOW_MS,
  MIN_BIDDING_WINDOW_MS,
  quotaRetryAfterSeconds,
  QUOTA_WINDOW_MS,
  readAccess,
} from './request-rules';
import { REQUEST_STATUSES } from './domain/request-state';

const now = new Date('2026-05-01T12:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);

describe('biddingWindowProblem: 1 hour to 30 days ahead', () => {
  it.each([
    ['exactly 1 hour', MIN_BIDDING_WINDOW_MS, null],
    ['exactly 30 days', MAX_BIDDING_WINDOW_MS, null],
    ['1 ms short of 1 hour', MIN_BIDDING_WINDOW_MS - 1, 'at least 1 hour'],
    ['1 ms past 30 days', MAX_BIDDING_WINDOW_MS + 1, 'at most 30 days'],
    ['in the past', -1, 'at least 1 hour'],
  ])('%s', (_name, offset, problem) => {
    const result = biddingWindowProblem(at(offset as number), now);
    if (problem === null) expect(result).toBeNull();
    else expect(result).toContain(problem);
  });

  it('an invalid date is a problem, not a crash', () => {
    expect(biddingWindowProblem(new Date('nonsense'), now)).toContain('valid');
  });
});

describe('editRefusal: open and no bids', () => {
  it.each(REQUEST_STATUSES.filter((s) => s !== 'open'))('%s → request_not_open naming the status', (status) => {
    expect(editRefusal({ status, bidCount: 0 })).toEqual({ code: 'request_not_open', message: expect.stringContaining(status) });
  });
  it('open with bids → request_has_bids; open without → editable', () => {
    expect(editRefusal({ status: 'open', bidCount: 1 })?.code).toBe('request_has_bids');
    expect(editRefusal({ status: 'open', bidCount: 0 })).toBeNull();
  });
});

describe('readAccess (API1)', () => {
  const request = (status: (typeof REQUEST_STATUSES)[number]) => ({ customerId: 'owner', status });
  it.each(REQUEST_STATUSES)('%s: owner and admin always; another customer never', (status) => {
    expect(readAccess(request(status), { userId: 'owner', role: 'customer' })).toBe('allowed');
    expect(readAccess(request(status), { userId: 'admin', role: 'admin' })).toBe('allowed');
    expect(readAccess(request(status), { userId: 'other', role: 'customer' })).toBe('denied');
  });
  it.each(REQUEST_STATUSES)('%s: an expert while open, else only with a bid', (status) => {
    expect(readAccess(request(status), { userId: 'expert', role: 'expert' })).toBe(status === 'open' ? 'allowed' : 'if_bid');
  });
});

describe('quotaRetryAfterSeconds', () => {
  it('counts down to when the oldest request leaves the hour, at least 1 s', () => {
    expect(quotaRetryAfterSeconds(now, now)).toBe(QUOTA_WINDOW_MS / 1000);
    expect(quotaRetryAfterSeconds(at(-QUOTA_WINDOW_MS + 29_500), now)).toBe(30);
    expect(quotaRetryAfterSeconds(at(-QUOTA_WINDOW_MS - 5000), now)).toBe(1);
  });
});

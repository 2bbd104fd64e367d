/**
 * Request rules the state table does not cover (editing, the bidding window, who may read a
 * request). Plain TypeScript like domain/: no Nest, no TypeORM; the clock comes in.
 */
import type { RequestStatus } from './domain/request-state';

const HOUR_MS = 3_600_000;
export const MIN_BIDDING_WINDOW_MS = HOUR_MS;
export const MAX_BIDDING_WINDOW_MS = 30 * 24 * HOUR_MS;
export const DEFAULT_BIDDING_WINDOW_MS = 72 * HOUR_MS;

/** Customers may post this many requests per rolling hour (API4). */
export const REQUESTS_PER_HOUR = 20;
export const QUOTA_WINDOW_MS = HOUR_MS;

export interface Refusal {
  readonly code: 'request_not_open' | 'request_has_bids';
  readonly message: string;
}

/** biddingClosesAt must lie 1 hour to 30 days ahead; null when it does. */
export function biddingWindowProblem(closesAt: Date, now: Date): string | null {
  const ahead = closesAt.getTime() - now.getTime();
  if (Number.isNaN(ahead)) return 'biddingClosesAt must be a valid date-time.';
  if (ahead < MIN_BIDDING_WINDOW_MS) return 'biddingClosesAt must be at least 1 hour from now.';
  if (ahead > MAX_BIDDING_WINDOW_MS) return 'biddingClosesAt must be at most 30 days from now.';
  return null;
}

/** A request can be edited while open and before anyone bid: bidders saw the terms they bid on. */
export function editRefusal(request: { status: RequestStatus; bidCount: number }): Refusal | null {
  if (request.status !== 'open') {
    return { code: 'request_not_open', message: `The request is ${request.status}; it can be edited only while open.` };
  }
  if (request.bidCount > 0) {
    return { code: 'request_has_bids', message: 'The request already has bids; it can no longer be edited.' };
  }
  return null;
}

export interface Reader {
  readonly userId: string;
  /** A partner acting as itself reads no request (it acts for its users with X-On-Behalf-Of). */
  readonly role: 'customer' | 'expert' | 'admin' | 'partner';
}

/**
 * API1: the owner, admins, and experts while it is open or once they have bid on it. An expert
 * on a request that is no longer open gets `if_bid`: the caller checks the bids table.
 */
export function readAccess(request: { customerId: string; status: RequestStatus }, reader: Reader): 'allowed' | 'denied' | 'if_bid' {
  if (reader.role === 'admin') return 'allowed';
  if (reader.role === 'customer') return request.customerId === reader.userId ? 'allowed' : 'denied';
  if (reader.role === 'partner') return 'denied';
  return request.status === 'open' ? 'allowed' : 'if_bid';
}

/** Seconds until the oldest request in the window leaves it, so Retry-After is never early. */
export function quotaRetryAfterSeconds(oldestInWindow: Date, now: Date): number {
  return Math.max(1, Math.ceil((oldestInWindow.getTime() + QUOTA_WINDOW_MS - now.getTime()) / 1000));
}

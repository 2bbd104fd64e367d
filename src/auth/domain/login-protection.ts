import { createHash, randomBytes } from 'node:crypto';

/**
 * Login protection (S3, S7, L1, L2): the pure rules. Three counters decide whether a login
 * attempt is even looked at:
 *
 * - per (email, address) — a *backoff* counter: the 5th counted attempt refuses the pair for
 *   1 minute, each further one (once the refusal has run out) doubles it, up to 1 hour; 24 hours
 *   without an attempt forget it; a successful login from the pair resets it.
 * - per email — a *window* counter: 10 counted attempts within 15 minutes, from any addresses,
 *   put the email under protection for a 15-minute cooling-off; then counting starts afresh.
 * - per device — a client that presents the `deviceToken` an earlier login of this account
 *   returned is *trusted*: neither counter above applies to it (an attacker cannot keep the owner
 *   out of their own device); its own mistakes go to a backoff counter of that device, like a pair.
 *
 * Attempts are counted when they are *claimed*, before the password is checked, so concurrent
 * attempts cannot race past a threshold: of 20 at once from one address exactly 5 are checked.
 * A successful login takes its own attempt back (and resets its pair or device). A refused
 * attempt counts nowhere and changes nothing, so refusals do not prolong themselves: the
 * refusal grows with attempts made after it ended, not with attempts made while it lasted.
 *
 * Counters are keyed by the email as typed (normalised), never by whether an account has it:
 * unknown emails are counted and refused exactly as known ones, so neither the answer nor its
 * timing tells whether an email exists.
 */

export interface BackoffPolicy {
  /** Counted attempts at which the refusal starts. */
  threshold: number;
  baseSeconds: number;
  maxSeconds: number;
  /** Quiet time after which the count is forgotten. */
  memorySeconds: number;
}

export interface WindowPolicy {
  /** Counted attempts within one window that put the subject under protection. */
  threshold: number;
  windowSeconds: number;
  coolingOffSeconds: number;
}

export const PAIR_POLICY: BackoffPolicy = { threshold: 5, baseSeconds: 60, maxSeconds: 60 * 60, memorySeconds: 24 * 60 * 60 };
export const DEVICE_POLICY: BackoffPolicy = PAIR_POLICY;
export const EMAIL_POLICY: WindowPolicy = { threshold: 10, windowSeconds: 15 * 60, coolingOffSeconds: 15 * 60 };

/** A device token is good for a year from the last login that used (or received) it. */
export const DEVICE_TOKEN_TTL_MS = 365 * 24 * 60 * 60 * 1000;
/** Devices remembered per user; the least recently used beyond this are forgotten. */
export const MAX_DEVICES_PER_USER = 20;

/** Counted attempts of a pair or a device; `lastAttemptAt` dates the count for forgetting. */
export interface BackoffCounter {
  failures: number;
  lastAttemptAt: Date | null;
  refusedUntil: Date | null;
}

/** Counted attempts of an email in the window that started at `windowStartedAt`. */
export interface WindowCounter {
  failures: number;
  windowStartedAt: Date | null;
  /** End of the protection (cooling-off) once the window's threshold was reached. */
  refusedUntil: Date | null;
}

export const NO_BACKOFF: BackoffCounter = Object.freeze({ failures: 0, lastAttemptAt: null, refusedUntil: null });
export const NO_WINDOW: WindowCounter = Object.freeze({ failures: 0, windowStartedAt: null, refusedUntil: null });

const plus = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000);
// Stryker disable next-line EqualityOperator: on equal instants a and b are the same moment, whichever is returned
const later = (a: Date | null, b: Date | null): Date | null => (!a ? b : !b ? a : a > b ? a : b);

export function isRefused(counter: { refusedUntil: Date | null }, now: Date): boolean {
  return counter.refusedUntil !== null && counter.refusedUntil.getTime() > now.getTime();
}

/** How long the attempt that made the count `failures` refuses what follows it: 0, then 60 s doubling, capped. */
export function backoffSeconds(failures: number, policy: BackoffPolicy = PAIR_POLICY): number {
  if (failures < policy.threshold) return 0;
  // Capped before exponentiating far: 2 ** 1000 is Infinity, harmless, but say it plainly.
  const doublings = Math.min(failures - policy.threshold, 62);
  return Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** doublings);
}

/** The count as of `now`: forgotten after a quiet `memorySeconds`. */
function currentBackoff(counter: BackoffCounter, now: Date, policy: BackoffPolicy): BackoffCounter {
  const quiet = counter.lastAttemptAt === null || plus(counter.lastAttemptAt, policy.memorySeconds) <= now;
  return quiet && !isRefused(counter, now) ? NO_BACKOFF : counter;
}

/** The window as of `now`: a new one once it ran out or its protection ended. */
function currentWindow(counter: WindowCounter, now: Date, policy: WindowPolicy): WindowCounter {
  if (isRefused(counter, now)) return counter;
  const ended = counter.windowStartedAt === null || plus(counter.windowStartedAt, policy.windowSeconds) <= now || counter.refusedUntil !== null;
  return ended ? NO_WINDOW : counter;
}

/** Counts one attempt on a backoff counter that is not refused. */
export function countBackoff(counter: BackoffCounter, now: Date, policy: BackoffPolicy = PAIR_POLICY): BackoffCounter {
  const failures = currentBackoff(counter, now, policy).failures + 1;
  const seconds = backoffSeconds(failures, policy);
  return { failures, lastAttemptAt: now, refusedUntil: seconds > 0 ? plus(now, seconds) : null };
}

/** Counts one attempt on a window counter that is not refused. */
export function countWindow(counter: WindowCounter, now: Date, policy: WindowPolicy = EMAIL_POLICY): WindowCounter {
  const current = currentWindow(counter, now, policy);
  const failures = current.failures + 1;
  return {
    failures,
    windowStartedAt: current.windowStartedAt ?? now,
    refusedUntil: failures >= policy.threshold ? plus(now, policy.coolingOffSeconds) : null,
  };
}

/** What a login attempt finds: the device's counter when it presented a usable device token of the account. */
export interface AttemptState {
  device: BackoffCounter | null;
  email: WindowCounter;
  pair: BackoffCounter;
}

/** The verdict on an attempt and the counters to store (unchanged when refused). */
export type Claim =
  | { allowed: false; trusted: boolean }
  | { allowed: true; trusted: true; device: BackoffCounter }
  | { allowed: true; trusted: false; email: WindowCounter; pair: BackoffCounter };

/**
 * Whether this attempt's password is checked at all, counting it if so. A trusted device
 * answers to its own counter only (S7); any other client to the email's and the pair's.
 */
export function claimAttempt(state: AttemptState, now: Date): Claim {
  if (state.device) {
    if (isRefused(state.device, now)) return { allowed: false, trusted: true };
    return { allowed: true, trusted: true, device: countBackoff(state.device, now, DEVICE_POLICY) };
  }
  if (isRefused(state.email, now) || isRefused(state.pair, now)) return { allowed: false, trusted: false };
  return { allowed: true, trusted: false, email: countWindow(state.email, now, EMAIL_POLICY), pair: countBackoff(state.pair, now, PAIR_POLICY) };
}

/** After the right password from a trusted device: its counter starts again. */
export function deviceAfterSuccess(): BackoffCounter {
  return NO_BACKOFF;
}

/** After the right password from the pair: its counter starts again. */
export function pairAfterSuccess(): BackoffCounter {
  return NO_BACKOFF;
}

/**
 * After the right password from an untrusted client: the email's window takes this attempt back
 * (an owner logging in often from clients that keep no device token never protects their own
 * email), and the protection holds only while the window still has its threshold of failures.
 */
export function emailAfterSuccess(counter: WindowCounter, now: Date, policy: WindowPolicy = EMAIL_POLICY): WindowCounter {
  const current = currentWindow(counter, now, policy);
  if (current.failures === 0) return current;
  const failures = current.failures - 1;
  return { failures, windowStartedAt: current.windowStartedAt, refusedUntil: failures >= policy.threshold ? current.refusedUntil : null };
}

/** After this moment a stored backoff counter means nothing more than no counter: its row may go. */
export function backoffForgetAt(counter: BackoffCounter, policy: BackoffPolicy = PAIR_POLICY): Date | null {
  return later(counter.refusedUntil, counter.lastAttemptAt && plus(counter.lastAttemptAt, policy.memorySeconds));
}

/** After this moment a stored window counter means nothing more than no counter. */
export function windowForgetAt(counter: WindowCounter, policy: WindowPolicy = EMAIL_POLICY): Date | null {
  return later(counter.refusedUntil, counter.windowStartedAt && plus(counter.windowStartedAt, policy.windowSeconds));
}

/** A stored device token is usable by this account's login until it expires. */
export function isDeviceUsable(device: { userId: string; expiresAt: Date } | null, userId: string | null, now: Date): boolean {
  return (
    device !== null &&
    // Stryker disable next-line ConditionalExpression: a device's userId is never null, so the equality below refuses a null userId too
    userId !== null &&
    device.userId === userId &&
    device.expiresAt.getTime() > now.getTime()
  );
}

/** 32 random bytes, base64url: the opaque device token handed to the client. */
export function newDeviceTokenValue(): string {
  return randomBytes(32).toString('base64url');
}

/** Only this digest of a device token is stored. */
export function hashDeviceToken(token: string): string {
  return sha256Hex(`device:${token}`);
}

/**
 * Storage keys of the counters: a digest, so the table holds no typed email or address. The
 * email is the normalised one (as accounts store it); the address as the rate limits see it.
 */
export function emailKey(email: string): string {
  return sha256Hex(`login-email:${email}`);
}

export function pairKey(email: string, address: string): string {
  return sha256Hex(`login-pair:${email}\n${address}`);
}

/** The hex SHA-256 of the text's UTF-8 bytes. */
function sha256Hex(text: string): string {
  const hash = createHash('sha256');
  // Stryker disable next-line StringLiteral: Node reads a string under an empty encoding as UTF-8, the same bytes
  hash.update(text, 'utf8');
  return hash.digest('hex');
}

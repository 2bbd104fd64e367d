/**
 * Per-account lockout after consecutive failed logins (S3): the 5th failure in a row locks the
 * account for 1 minute; each further failure once the lock has run out doubles it, up to 1 hour.
 * A successful login resets the count.
 */
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_BASE_SECONDS = 60;
export const LOCKOUT_MAX_SECONDS = 60 * 60;

export function lockoutSeconds(consecutiveFailures: number): number {
  if (consecutiveFailures < LOCKOUT_THRESHOLD) return 0;
  return Math.min(LOCKOUT_MAX_SECONDS, LOCKOUT_BASE_SECONDS * 2 ** (consecutiveFailures - LOCKOUT_THRESHOLD));
}

export function isLocked(lockedUntil: Date | null, now: Date): lockedUntil is Date {
  return lockedUntil !== null && lockedUntil.getTime() > now.getTime();
}

/** When the account is locked until after this failure, or null when it stays open. */
export function lockedUntilAfter(consecutiveFailures: number, now: Date): Date | null {
  const seconds = lockoutSeconds(consecutiveFailures);
  return seconds > 0 ? new Date(now.getTime() + seconds * 1000) : null;
}

/** Whole seconds for Retry-After, never 0 while still locked. */
export function retryAfterSeconds(lockedUntil: Date, now: Date): number {
  return Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
}

/**
 * When a failed webhook delivery is tried again (W5, contract §3: "retried with growing delays
 * for up to 3 days, then marked failed"). Shaped like Stripe's and the Standard Webhooks spec:
 * quick retries for a blip, then hours apart for an outage.
 *
 * Delay after the Nth attempt (before jitter):
 *   1 → 5 s, 2 → 30 s, 3 → 2 min, 4 → 10 min, 5 → 30 min, 6 → 1 h, 7 → 2 h, 8 and later → 4 h,
 * each multiplied by a random factor in [0.8, 1.2) so that endpoints recovering from an outage
 * are not hit by every queued delivery at the same instant. A retry that would land more than
 * 3 days after the first attempt is not scheduled: the delivery is failed. That makes 25
 * attempts without jitter (8 in the first 4 hours, then one every 4 hours), 22 to 29 with it.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const RETRY_WINDOW_MS = 3 * DAY;
/** An endpoint failing without a single success for this long is disabled (contract §3). */
export const ENDPOINT_DISABLE_AFTER_MS = 3 * DAY;
export const RETRY_JITTER = 0.2;
export const RETRY_DELAYS_MS: readonly number[] = [
  5 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR,
];

/** The delay after `attempt` attempts, before jitter; the last step repeats for ever. */
export function baseRetryDelayMs(attempt: number): number {
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer ≥ 1, got ${attempt}`);
  return RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length) - 1];
}

// A broken random source must not stretch or shrink delays beyond the stated jitter.
function unitInterval(value: number): number {
  return Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0.5;
}

/**
 * When to try again after `attempt` attempts (the last one just failed at or before `now`), or
 * null when that time falls after `firstAttemptAt` + 3 days: the delivery is then failed.
 * `now` rather than the last scheduled time, so a late worker does not bunch retries together.
 */
export function nextRetryAt(firstAttemptAt: Date, attempt: number, now: Date, random: () => number = Math.random): Date | null {
  const factor = 1 + RETRY_JITTER * (2 * unitInterval(random()) - 1);
  const next = now.getTime() + Math.round(baseRetryDelayMs(attempt) * factor);
  return next > firstAttemptAt.getTime() + RETRY_WINDOW_MS ? null : new Date(next);
}

/** True once an endpoint has failed continuously (no 2xx since `failingSince`) for 3 days. */
export function endpointShouldBeDisabled(failingSince: Date | null, now: Date): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() >= ENDPOINT_DISABLE_AFTER_MS;
}

import fc from 'fast-check';
import {
  baseRetryDelayMs, endpointShouldBeDisabled, nextRetryAt, RETRY_DELAYS_MS, RETRY_JITTER, RETRY_WINDOW_MS,
} from './retry-schedule';

const FIRST = new Date('2026-03-01T12:00:00Z');
const at = (ms: number) => new Date(FIRST.getTime() + ms);
const middle = () => 0.5;

/** Every attempt time of one delivery when each attempt fails as soon as it starts. */
function attemptTimes(random: () => number, lateness: () => number = () => 0): number[] {
  const times = [FIRST.getTime()];
  for (let attempt = 1; attempt < 1000; attempt++) {
    const now = new Date(times[times.length - 1] + lateness());
    const next = nextRetryAt(FIRST, attempt, now, random);
    if (next === null) return times;
    times.push(next.getTime());
  }
  throw new Error('the schedule did not end');
}

describe('W5 retry schedule', () => {
  it.each([
    [1, 5_000], [2, 30_000], [3, 120_000], [4, 600_000], [5, 1_800_000], [6, 3_600_000], [7, 7_200_000],
    [8, 14_400_000], [9, 14_400_000], [50, 14_400_000],
  ])('after attempt %i the base delay is %i ms', (attempt, ms) => {
    expect(baseRetryDelayMs(attempt)).toBe(ms);
    expect(nextRetryAt(FIRST, attempt, FIRST, middle)?.getTime()).toBe(FIRST.getTime() + ms);
  });

  it('refuses an attempt count below 1 or fractional', () => {
    expect(() => baseRetryDelayMs(0)).toThrow(RangeError);
    expect(() => baseRetryDelayMs(1.5)).toThrow(RangeError);
  });

  it('jitter stays within ±20 %, even for a broken random source', () => {
    expect(nextRetryAt(FIRST, 8, FIRST, () => 0)?.getTime()).toBe(FIRST.getTime() + 0.8 * 14_400_000);
    expect(nextRetryAt(FIRST, 8, FIRST, () => 1)?.getTime()).toBe(FIRST.getTime() + 1.2 * 14_400_000);
    expect(nextRetryAt(FIRST, 8, FIRST, () => 7)?.getTime()).toBe(FIRST.getTime() + 1.2 * 14_400_000);
    expect(nextRetryAt(FIRST, 8, FIRST, () => -3)?.getTime()).toBe(FIRST.getTime() + 0.8 * 14_400_000);
    expect(nextRetryAt(FIRST, 8, FIRST, () => Number.NaN)?.getTime()).toBe(FIRST.getTime() + 14_400_000);
  });

  it('without jitter a delivery gets 25 attempts, the last within 3 days', () => {
    const times = attemptTimes(middle);
    expect(times).toHaveLength(25);
    expect(times[7] - FIRST.getTime()).toBeLessThan(4 * 3_600_000);
    expect(times[24] - FIRST.getTime()).toBeLessThanOrEqual(RETRY_WINDOW_MS);
  });

  it('returns null once the next attempt would fall after the window', () => {
    expect(nextRetryAt(FIRST, 20, at(RETRY_WINDOW_MS - 3_600_000), middle)).toBeNull();
    expect(nextRetryAt(FIRST, 20, at(RETRY_WINDOW_MS - 4 * 3_600_000), middle)?.getTime()).toBe(FIRST.getTime() + RETRY_WINDOW_MS);
    expect(nextRetryAt(FIRST, 1, at(RETRY_WINDOW_MS + 1), middle)).toBeNull();
  });

  it('property: base delays never shrink', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), (attempt) => baseRetryDelayMs(attempt + 1) >= baseRetryDelayMs(attempt)));
    expect([...RETRY_DELAYS_MS].sort((a, b) => a - b)).toEqual(RETRY_DELAYS_MS);
  });

  it('property: every retry is later than now, jittered within bounds and inside the window; the schedule ends', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 2 * 3_600_000 }), { minLength: 1, maxLength: 40 }),
        (randoms, delays) => {
          let r = 0;
          let l = 0;
          const times = attemptTimes(() => randoms[r++ % randoms.length], () => delays[l++ % delays.length]);
          expect(times.length).toBeGreaterThanOrEqual(2);
          expect(times.length).toBeLessThanOrEqual(30);
          for (let i = 1; i < times.length; i++) {
            expect(times[i]).toBeGreaterThan(times[i - 1]);
            expect(times[i]).toBeLessThanOrEqual(FIRST.getTime() + RETRY_WINDOW_MS);
          }
        },
      ),
    );
  });

  it('property: one delay is the base delay times a factor in [0.8, 1.2]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, random) => {
        const next = nextRetryAt(FIRST, attempt, FIRST, () => random);
        const base = baseRetryDelayMs(attempt);
        expect(next).not.toBeNull();
        const delay = (next as Date).getTime() - FIRST.getTime();
        expect(delay).toBeGreaterThanOrEqual(Math.floor(base * (1 - RETRY_JITTER)));
        expect(delay).toBeLessThanOrEqual(Math.ceil(base * (1 + RETRY_JITTER)));
      }),
    );
  });
});

describe('endpoint disabled after failing for 3 days', () => {
  it('is never disabled while it has not failed', () => {
    expect(endpointShouldBeDisabled(null, at(10 * RETRY_WINDOW_MS))).toBe(false);
  });

  it('is disabled exactly from 3 days of continuous failure', () => {
    expect(endpointShouldBeDisabled(FIRST, at(RETRY_WINDOW_MS - 1))).toBe(false);
    expect(endpointShouldBeDisabled(FIRST, at(RETRY_WINDOW_MS))).toBe(true);
    expect(endpointShouldBeDisabled(FIRST, at(RETRY_WINDOW_MS + 86_400_000))).toBe(true);
  });
});

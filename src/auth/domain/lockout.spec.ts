import { isLocked, lockedUntilAfter, lockoutSeconds, retryAfterSeconds } from './lockout';

describe('S3 login lockout', () => {
  it.each([
    [0, 0], [1, 0], [4, 0], [5, 60], [6, 120], [7, 240], [8, 480], [9, 960], [10, 1920], [11, 3600], [12, 3600], [1000, 3600],
  ])('%i consecutive failures → locked %i s', (failures, seconds) => {
    expect(lockoutSeconds(failures)).toBe(seconds);
  });

  it('locks from now for the computed time, and only from the threshold on', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(lockedUntilAfter(4, now)).toBeNull();
    expect(lockedUntilAfter(5, now)?.toISOString()).toBe('2026-01-01T00:01:00.000Z');
  });

  it('is locked strictly before lockedUntil', () => {
    const until = new Date('2026-01-01T00:01:00Z');
    expect(isLocked(null, until)).toBe(false);
    expect(isLocked(until, new Date(until.getTime() - 1))).toBe(true);
    expect(isLocked(until, until)).toBe(false);
  });

  it('Retry-After rounds up and is at least 1', () => {
    const until = new Date('2026-01-01T00:01:00Z');
    expect(retryAfterSeconds(until, new Date('2026-01-01T00:00:00.500Z'))).toBe(60);
    expect(retryAfterSeconds(until, new Date('2026-01-01T00:00:59.999Z'))).toBe(1);
    expect(retryAfterSeconds(until, until)).toBe(1);
  });
});

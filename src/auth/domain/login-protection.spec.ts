import fc from 'fast-check';
import {
  AttemptState,
  backoffForgetAt,
  backoffSeconds,
  BackoffCounter,
  claimAttempt,
  countBackoff,
  countWindow,
  DEVICE_POLICY,
  DEVICE_TOKEN_TTL_MS,
  deviceAfterSuccess,
  emailAfterSuccess,
  emailKey,
  EMAIL_POLICY,
  hashDeviceToken,
  isDeviceUsable,
  isRefused,
  newDeviceTokenValue,
  NO_BACKOFF,
  NO_WINDOW,
  PAIR_POLICY,
  pairAfterSuccess,
  pairKey,
  windowForgetAt,
  WindowCounter,
} from './login-protection';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const untrusted = (email: WindowCounter = NO_WINDOW, pair: BackoffCounter = NO_BACKOFF): AttemptState => ({ device: null, email, pair });

/** Applies one attempt to the state as the service does: a refused attempt changes nothing. */
function step(state: AttemptState, now: Date): { state: AttemptState; allowed: boolean } {
  const claim = claimAttempt(state, now);
  if (!claim.allowed) return { state, allowed: false };
  return { allowed: true, state: claim.trusted ? { ...state, device: claim.device } : { ...state, email: claim.email, pair: claim.pair } };
}

const backoffCounter = fc.record({
  failures: fc.nat({ max: 40 }),
  lastAttemptAt: fc.option(fc.integer({ min: -200_000, max: 200_000 }).map(at), { nil: null }),
  refusedUntil: fc.option(fc.integer({ min: -200_000, max: 200_000 }).map(at), { nil: null }),
});
const windowCounter = fc.record({
  failures: fc.nat({ max: 40 }),
  windowStartedAt: fc.option(fc.integer({ min: -200_000, max: 200_000 }).map(at), { nil: null }),
  refusedUntil: fc.option(fc.integer({ min: -200_000, max: 200_000 }).map(at), { nil: null }),
});

describe('S3 login protection rules', () => {
  describe('per (email, address): a growing refusal', () => {
    it.each([
      [0, 0], [1, 0], [4, 0], [5, 60], [6, 120], [7, 240], [8, 480], [9, 960], [10, 1920], [11, 3600], [12, 3600], [1000, 3600],
    ])('%i counted attempts → refused %i s', (failures, seconds) => {
      expect(backoffSeconds(failures, PAIR_POLICY)).toBe(seconds);
    });

    it('S3 the 5th attempt is still checked and refuses the pair for 1 minute; the refusal then grows 2, 4 min', () => {
      let state = untrusted();
      for (let i = 0; i < 5; i++) {
        const r = step(state, at(i));
        expect(r.allowed).toBe(true);
        state = r.state;
      }
      expect(state.pair.refusedUntil).toEqual(at(4 + 60));
      expect(step(state, at(63)).allowed).toBe(false);
      // Once the refusal ran out, one more attempt is checked and refuses for twice as long.
      const sixth = step(state, at(64));
      expect(sixth.allowed).toBe(true);
      expect(sixth.state.pair.refusedUntil).toEqual(at(64 + 120));
      const seventh = step(sixth.state, at(184));
      expect(seventh.state.pair.refusedUntil).toEqual(at(184 + 240));
    });

    it('24 quiet hours forget the count', () => {
      const counted = countBackoff({ failures: 7, lastAttemptAt: at(0), refusedUntil: at(240) }, at(PAIR_POLICY.memorySeconds));
      expect(counted).toEqual({ failures: 1, lastAttemptAt: at(PAIR_POLICY.memorySeconds), refusedUntil: null });
    });

    it('the refusal only grows and never exceeds the cap', () => {
      fc.assert(
        fc.property(fc.nat({ max: 500 }), (n) => {
          expect(backoffSeconds(n + 1)).toBeGreaterThanOrEqual(backoffSeconds(n));
          expect(backoffSeconds(n)).toBeLessThanOrEqual(PAIR_POLICY.maxSeconds);
        }),
      );
    });
  });

  describe('per email: protection after many attempts from many addresses', () => {
    it('S3 the 10th attempt within 15 minutes puts the email under protection for 15 minutes; then counting starts afresh', () => {
      let email = NO_WINDOW;
      for (let i = 0; i < 9; i++) email = countWindow(email, at(i * 60));
      expect(email.refusedUntil).toBeNull();
      email = countWindow(email, at(600));
      expect(email).toEqual({ failures: 10, windowStartedAt: at(0), refusedUntil: at(600 + 900) });
      expect(isRefused(email, at(1499))).toBe(true);
      expect(isRefused(email, at(1500))).toBe(false);
      expect(countWindow(email, at(1500))).toEqual({ failures: 1, windowStartedAt: at(1500), refusedUntil: null });
    });

    it('attempts spread over more than a window never protect', () => {
      let email = NO_WINDOW;
      for (let i = 0; i < 30; i++) email = countWindow(email, at(i * 100)); // 9 per 15 minutes
      expect(email.refusedUntil).toBeNull();
    });

    it('a successful login takes its own attempt back, and the protection with it below the threshold', () => {
      const protectedEmail = { failures: 10, windowStartedAt: at(0), refusedUntil: at(900) };
      expect(emailAfterSuccess(protectedEmail, at(1))).toEqual({ failures: 9, windowStartedAt: at(0), refusedUntil: null });
      expect(emailAfterSuccess({ failures: 3, windowStartedAt: at(0), refusedUntil: null }, at(1)).failures).toBe(2);
      expect(emailAfterSuccess({ failures: 3, windowStartedAt: at(0), refusedUntil: null }, at(900))).toEqual(NO_WINDOW);
      // An owner on clients that keep no device token never protects their own email.
      let email = NO_WINDOW;
      for (let i = 0; i < 50; i++) email = emailAfterSuccess(countWindow(email, at(i)), at(i));
      expect(email.refusedUntil).toBeNull();
    });
  });

  describe('claims', () => {
    it('L1 20 attempts at one instant from one address: exactly 5 are checked', () => {
      let state = untrusted();
      let allowed = 0;
      for (let i = 0; i < 20; i++) {
        const r = step(state, T0);
        state = r.state;
        if (r.allowed) allowed++;
      }
      expect(allowed).toBe(PAIR_POLICY.threshold);
    });

    it('L2 attempts from ever new addresses: exactly 10 are checked, then the email is protected', () => {
      let email = NO_WINDOW;
      let allowed = 0;
      for (let i = 0; i < 20; i++) {
        const r = step(untrusted(email, NO_BACKOFF), at(i));
        email = r.state.email;
        if (r.allowed) allowed++;
      }
      expect(allowed).toBe(EMAIL_POLICY.threshold);
      expect(isRefused(email, at(20))).toBe(true);
    });

    it('S7 a device that is not refused is let in whatever the email and the pair counters say', () => {
      fc.assert(
        fc.property(windowCounter, backoffCounter, fc.integer({ min: -200_000, max: 200_000 }), (email, pair, s) => {
          const now = at(s);
          const claim = claimAttempt({ device: NO_BACKOFF, email, pair }, now);
          expect(claim).toEqual({ allowed: true, trusted: true, device: countBackoff(NO_BACKOFF, now, DEVICE_POLICY) });
        }),
      );
    });

    it('a refused attempt is refused exactly while a counter it answers to is refused', () => {
      fc.assert(
        fc.property(fc.option(backoffCounter, { nil: null }), windowCounter, backoffCounter, fc.integer({ min: -200_000, max: 200_000 }), (device, email, pair, s) => {
          const now = at(s);
          const claim = claimAttempt({ device, email, pair }, now);
          const refused = device ? isRefused(device, now) : isRefused(email, now) || isRefused(pair, now);
          expect(claim.allowed).toBe(!refused);
          expect(claim.trusted).toBe(device !== null);
        }),
      );
    });

    it('L1 no schedule of attempts gets more than 5 checked on one pair within a minute, nor 20 on one email within 15 minutes', () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ gap: fc.nat({ max: 120 }), address: fc.nat({ max: 30 }) }), { maxLength: 80 }),
          (attempts) => {
            let email = NO_WINDOW;
            const pairs = new Map<number, BackoffCounter>();
            const checked: Array<{ t: number; address: number }> = [];
            let t = 0;
            for (const a of attempts) {
              t += a.gap;
              const r = step(untrusted(email, pairs.get(a.address) ?? NO_BACKOFF), at(t));
              email = r.state.email;
              pairs.set(a.address, r.state.pair);
              if (r.allowed) checked.push({ t, address: a.address });
            }
            for (const { t: start } of checked) {
              const inWindow = checked.filter((c) => c.t >= start && c.t < start + EMAIL_POLICY.windowSeconds);
              // Fixed windows: at most the threshold per window, so fewer than twice that over any span of its length.
              expect(inWindow.length).toBeLessThan(2 * EMAIL_POLICY.threshold);
              for (const address of new Set(inWindow.map((c) => c.address))) {
                expect(inWindow.filter((c) => c.address === address && c.t < start + 60).length).toBeLessThanOrEqual(PAIR_POLICY.threshold);
              }
            }
          },
        ),
      );
    });
  });

  describe('forgetting', () => {
    it('L2 past its forget time a stored counter behaves exactly as no counter, so its row can be deleted', () => {
      fc.assert(
        fc.property(backoffCounter, windowCounter, fc.nat({ max: 100_000 }), (pair, email, extra) => {
          const pairAt = backoffForgetAt(pair);
          if (pairAt) {
            const now = new Date(pairAt.getTime() + extra * 1000);
            expect(isRefused(pair, now)).toBe(false);
            expect(countBackoff(pair, now)).toEqual(countBackoff(NO_BACKOFF, now));
          }
          const emailAt = windowForgetAt(email);
          if (emailAt) {
            const now = new Date(emailAt.getTime() + extra * 1000);
            expect(isRefused(email, now)).toBe(false);
            expect(countWindow(email, now)).toEqual(countWindow(NO_WINDOW, now));
          }
        }),
      );
    });
  });

  describe('device tokens', () => {
    it('S7 usable only by its own account until it expires', () => {
      const device = { userId: 'u1', expiresAt: at(10) };
      expect(isDeviceUsable(device, 'u1', at(9))).toBe(true);
      expect(isDeviceUsable(device, 'u2', at(9))).toBe(false);
      expect(isDeviceUsable(device, null, at(9))).toBe(false);
      expect(isDeviceUsable(device, 'u1', at(10))).toBe(false);
      expect(isDeviceUsable(null, 'u1', at(9))).toBe(false);
    });

    it('tokens are 256-bit base64url, stored as a SHA-256 hex digest; counter keys hide the email and address', () => {
      const token = newDeviceTokenValue();
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(hashDeviceToken(token)).toMatch(/^[0-9a-f]{64}$/);
      expect(hashDeviceToken(token)).not.toContain(token);
      expect(emailKey('a@b.c')).toMatch(/^[0-9a-f]{64}$/);
      expect(pairKey('a@b.c', '10.0.0.1')).not.toBe(pairKey('a@b.c', '10.0.0.2'));
      expect(pairKey('a@b.c', '10.0.0.1')).not.toBe(emailKey('a@b.c'));
    });
  });

  describe('the parts the scenarios above do not reach', () => {
    it('S7 a device token is good for a year from the login that used it, to the millisecond', () => {
      const device = { userId: 'u1', expiresAt: new Date(T0.getTime() + DEVICE_TOKEN_TTL_MS) };
      const year = 365 * 24 * 3_600_000;
      expect(isDeviceUsable(device, 'u1', new Date(T0.getTime() + year - 1))).toBe(true);
      expect(isDeviceUsable(device, 'u1', new Date(T0.getTime() + year))).toBe(false);
    });

    it('S3 after the right password a pair or a device starts again: its next mistake counts as the first', () => {
      expect(countBackoff(pairAfterSuccess(), at(5))).toEqual({ failures: 1, lastAttemptAt: at(5), refusedUntil: null });
      expect(countBackoff(deviceAfterSuccess(), at(5), DEVICE_POLICY)).toEqual({ failures: 1, lastAttemptAt: at(5), refusedUntil: null });
    });

    it('S3 the protection holds while the window still has its threshold of failures after a success takes one back', () => {
      const over = { failures: EMAIL_POLICY.threshold + 1, windowStartedAt: at(0), refusedUntil: at(900) };
      expect(emailAfterSuccess(over, at(1))).toEqual({ failures: EMAIL_POLICY.threshold, windowStartedAt: at(0), refusedUntil: at(900) });
    });

    it('S3 once a protection ended, counting starts afresh even if the window it began in has not', () => {
      const policy = { threshold: 3, windowSeconds: 3600, coolingOffSeconds: 60 };
      let email = NO_WINDOW;
      for (let i = 0; i < 3; i++) email = countWindow(email, at(i), policy);
      expect(email.refusedUntil).toEqual(at(62));
      expect(countWindow(email, at(62), policy)).toEqual({ failures: 1, windowStartedAt: at(62), refusedUntil: null });
    });

    it('L2 a counter may be forgotten once its refusal and its memory (pair) or window (email) are both over', () => {
      expect(backoffForgetAt({ failures: 7, lastAttemptAt: at(0), refusedUntil: at(240) })).toEqual(at(PAIR_POLICY.memorySeconds));
      expect(backoffForgetAt({ failures: 7, lastAttemptAt: at(0), refusedUntil: at(100_000) })).toEqual(at(100_000));
      expect(backoffForgetAt(NO_BACKOFF)).toBeNull();
      expect(windowForgetAt({ failures: 3, windowStartedAt: at(0), refusedUntil: null })).toEqual(at(EMAIL_POLICY.windowSeconds));
      expect(windowForgetAt({ failures: 10, windowStartedAt: at(0), refusedUntil: at(1500) })).toEqual(at(1500));
      expect(windowForgetAt(NO_WINDOW)).toBeNull();
    });

    it('digests are hex keys, one per token, email and (email, address)', () => {
      expect(hashDeviceToken('token-a')).not.toBe(hashDeviceToken('token-b'));
      expect(emailKey('a@b.c')).not.toBe(emailKey('d@e.f'));
      expect(pairKey('a@b.c', '10.0.0.1')).toMatch(/^[0-9a-f]{64}$/);
      expect(pairKey('a@b.c', '10.0.0.1')).not.toBe(pairKey('d@e.f', '10.0.0.1'));
    });
  });
});

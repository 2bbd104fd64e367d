import { randomUUID } from 'node:crypto';
import { PostgresThrottlerStorage } from '../../src/common/rate-limit/postgres-throttler.storage';
import { bearer, PASSWORD, uniqueEmail, validRequest } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

const LIMITS = { rateLimitPerMinute: 5, authRateLimitPerMinute: 3, publicRateLimitPerMinute: 5 };

/**
 * Rate limits (L1): 5 requests a minute per caller, 5 anonymous public reads a minute per IP,
 * 3 logins/registers a minute per IP, 3 registers per email.
 */
describe('rate limits', () => {
  let t: TestApp;
  let second: TestApp;
  let ipCounter = 0;

  beforeAll(async () => {
    t = await createTestApp(LIMITS);
    second = await createTestApp(LIMITS, { databaseUrl: t.databaseUrl });
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  /** Every test uses addresses of its own, so budgets of different tests never meet. */
  const freshIp = () => `198.51.100.${++ipCounter}`;

  const register = (app: TestApp, ip: string, email = uniqueEmail()) =>
    app.http.post('/v1/auth/register').set('X-Forwarded-For', ip)
      .send({ email, password: PASSWORD, displayName: 'Rate Limited', role: 'customer' });
  const login = (app: TestApp, ip: string, email: string, password = PASSWORD) =>
    app.http.post('/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password });

  /** A user made from an address of its own, so making it spends nobody else's budget. */
  async function newUser(): Promise<{ email: string; accessToken: string }> {
    const res = await register(t, freshIp()).expect(201);
    return { email: res.body.user.email, accessToken: res.body.accessToken };
  }

  function expectRateLimited(res: { status: number; headers: Record<string, string>; body: { error: unknown } }): void {
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.body.error).toEqual({
      type: 'rate_limit', code: 'rate_limited', message: expect.any(String), requestId: res.headers['x-request-id'],
    });
  }

  it('L1 a user beyond 5 requests a minute → 429 rate_limited with Retry-After, in the envelope; others unaffected', async () => {
    const user = await newUser();
    for (let i = 0; i < 5; i++) await t.http.get('/v1/me').set(bearer(user.accessToken)).expect(200);
    expectRateLimited(await t.http.get('/v1/me').set(bearer(user.accessToken)));

    const other = await newUser();
    await t.http.get('/v1/me').set(bearer(other.accessToken)).expect(200);
  });

  it('L1 anonymous callers are counted per IP (public reads: the `public` budget)', async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) await t.http.get('/v1/categories').set('X-Forwarded-For', ip).expect(200);
    expectRateLimited(await t.http.get('/v1/categories').set('X-Forwarded-For', ip));
    await t.http.get('/v1/categories').set('X-Forwarded-For', freshIp()).expect(200);
  });

  it('L1 register is limited per email across different IPs (case and width folded)', async () => {
    const { email } = await newUser(); // the sign-up is the first of the email's 3
    const fullWidth = [...email].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('');
    for (const variant of [email.toUpperCase(), fullWidth]) await register(t, freshIp(), variant).expect(409);
    expectRateLimited(await register(t, freshIp(), `  ${email}`));
    // Another account from a fresh address is not affected.
    const other = await newUser();
    await login(t, freshIp(), other.email).expect(200);
  });

  it('L1 login is limited per IP across different emails', async () => {
    const ip = freshIp();
    for (let i = 0; i < 3; i++) await login(t, ip, uniqueEmail('nobody')).expect(401);
    const user = await newUser();
    expectRateLimited(await login(t, ip, user.email)); // even the right password, from this address
    await login(t, freshIp(), user.email).expect(200);
  });

  it('L1 register is limited per IP; the refused sign-up creates nothing', async () => {
    const ip = freshIp();
    for (let i = 0; i < 3; i++) await register(t, ip).expect(201);
    const email = uniqueEmail();
    expectRateLimited(await register(t, ip, email));
    const [row] = await t.ds.query(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [email]);
    expect(row.n).toBe(0);
  });

  it('S7 login is not limited per email (anyone could keep the owner out): it neither spends nor meets that budget', async () => {
    const email = uniqueEmail();
    await register(t, freshIp(), email).expect(201);
    for (let i = 0; i < 4; i++) await login(t, freshIp(), email).expect(200);
    await register(t, freshIp(), email).expect(409);
  });

  it('L1 two server instances on one database share the counters', async () => {
    const user = await newUser();
    const apps = [t, second, t, second, t];
    for (const app of apps) await app.http.get('/v1/me').set(bearer(user.accessToken)).expect(200);
    expectRateLimited(await second.http.get('/v1/me').set(bearer(user.accessToken)));
    expectRateLimited(await t.http.get('/v1/me').set(bearer(user.accessToken)));
  });

  it('L1 concurrent requests cannot overspend: 12 at once → exactly 5 served', async () => {
    const user = await newUser();
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? second : t).http.get('/v1/me').set(bearer(user.accessToken))),
    );
    expect(responses.filter((r) => r.status === 200)).toHaveLength(5);
    for (const r of responses.filter((r) => r.status !== 200)) expectRateLimited(r);
  });

  it('I5 a 429 is never stored under its Idempotency-Key: once the budget is back the key runs', async () => {
    const user = await newUser();
    const key = `rl-${randomUUID()}`;
    for (let i = 0; i < 5; i++) await t.http.get('/v1/me').set(bearer(user.accessToken)).expect(200);
    const post = () => t.http.post('/v1/requests').set(bearer(user.accessToken)).set('Idempotency-Key', key).send(validRequest());
    expectRateLimited(await post());
    expect(await t.ds.query(`SELECT 1 FROM idempotency_keys WHERE key = $1`, [key])).toEqual([]);

    await t.ds.query(`DELETE FROM rate_limit_hits`); // the minute is over, for every caller
    const res = await post().expect(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  });

  it('health and metrics are never limited', async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) await t.http.get('/v1/categories').set('X-Forwarded-For', ip).expect(200);
    expectRateLimited(await t.http.get('/v1/categories').set('X-Forwarded-For', ip));
    for (let i = 0; i < 8; i++) {
      await t.http.get('/health/live').set('X-Forwarded-For', ip).expect(200);
      await t.http.get('/metrics').set('X-Forwarded-For', ip).expect(200);
    }
  });

  describe('PostgresThrottlerStorage (the throttler semantics on the shared table)', () => {
    let storage: PostgresThrottlerStorage;
    beforeAll(() => {
      storage = new PostgresThrottlerStorage(t.ds);
    });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    it('counts to the limit, blocks past it without counting, and starts afresh when the block ends', async () => {
      const key = `test-${randomUUID()}`;
      expect(await storage.increment(key, 1000, 2, 1000, 'x')).toMatchObject({ totalHits: 1, isBlocked: false, timeToBlockExpire: 0 });
      expect(await storage.increment(key, 1000, 2, 1000, 'x')).toMatchObject({ totalHits: 2, isBlocked: false });
      const blocked = await storage.increment(key, 1000, 2, 1000, 'x');
      expect(blocked).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 1 });
      expect(await storage.increment(key, 1000, 2, 1000, 'x')).toMatchObject({ totalHits: 3, isBlocked: true });
      await sleep(1100);
      expect(await storage.increment(key, 1000, 2, 1000, 'x')).toMatchObject({ totalHits: 1, isBlocked: false });
    });

    it('a block longer than the window outlasts it', async () => {
      const key = `test-${randomUUID()}`;
      await storage.increment(key, 500, 1, 3000, 'x');
      const blocked = await storage.increment(key, 500, 1, 3000, 'x');
      expect(blocked).toMatchObject({ isBlocked: true, timeToBlockExpire: 3 });
      await sleep(700); // the window is over, the block is not
      expect(await storage.increment(key, 500, 1, 3000, 'x')).toMatchObject({ isBlocked: true });
    });

    it('one atomic upsert per check: 30 concurrent checks with limit 10 → 10 allowed', async () => {
      const key = `test-${randomUUID()}`;
      const results = await Promise.all(Array.from({ length: 30 }, () => storage.increment(key, 60_000, 10, 60_000, 'x')));
      expect(results.filter((r) => !r.isBlocked)).toHaveLength(10);
      expect(results.map((r) => r.totalHits).filter((h) => h <= 10).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });
  });
});

import { createTestApp, TestApp } from '../support/test-app';
import { PASSWORD, registerUser, uniqueEmail } from '../support/factories';

describe('auth: S3 per-account lockout after failed logins', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const login = (email: string, password: string) => t.http.post('/v1/auth/login').send({ email, password });
  const failures = async (id: string) =>
    (await t.ds.query(`SELECT failed_login_count AS n, locked_until FROM users WHERE id = $1`, [id]))[0] as { n: number; locked_until: Date | null };
  /** Lets the current lock run out without waiting for it. */
  const expireLock = (id: string) => t.ds.query(`UPDATE users SET locked_until = now() - interval '1 second' WHERE id = $1`, [id]);

  it('S3 5 wrong passwords → locked: 429 account_locked with Retry-After, even with the right password', async () => {
    const u = await registerUser(t);
    for (let i = 0; i < 5; i++) {
      const res = await login(u.email, `wrong password ${i}`).expect(401);
      expect(res.body.error.code).toBe('invalid_credentials');
    }
    const locked = await login(u.email, PASSWORD).expect(429);
    expect(locked.body.error).toMatchObject({ type: 'rate_limit', code: 'account_locked', requestId: expect.any(String) });
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(55);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('S3 the lockout grows: 1 min, then 2 min, then 4 min after each further failure', async () => {
    const u = await registerUser(t);
    for (let i = 0; i < 5; i++) await login(u.email, 'wrong password!').expect(401);
    expect(Number((await login(u.email, PASSWORD).expect(429)).headers['retry-after'])).toBeLessThanOrEqual(60);

    await expireLock(u.id);
    await login(u.email, 'wrong password!').expect(401);
    const second = Number((await login(u.email, PASSWORD).expect(429)).headers['retry-after']);
    expect(second).toBeGreaterThan(115);
    expect(second).toBeLessThanOrEqual(120);

    await expireLock(u.id);
    await login(u.email, 'wrong password!').expect(401);
    const third = Number((await login(u.email, PASSWORD).expect(429)).headers['retry-after']);
    expect(third).toBeGreaterThan(235);
    expect(third).toBeLessThanOrEqual(240);
    expect((await failures(u.id)).n).toBe(7);
  });

  it('S3 a successful login resets the count', async () => {
    const u = await registerUser(t);
    for (let i = 0; i < 4; i++) await login(u.email, 'wrong password!').expect(401);
    expect((await failures(u.id)).n).toBe(4);
    await login(u.email, PASSWORD).expect(200);
    expect(await failures(u.id)).toEqual({ n: 0, locked_until: null });
    // Four more failures do not lock: the count started again.
    for (let i = 0; i < 4; i++) await login(u.email, 'wrong password!').expect(401);
    await login(u.email, PASSWORD).expect(200);
  });

  it('S3 after a lock runs out the right password logs in and clears it', async () => {
    const u = await registerUser(t);
    for (let i = 0; i < 5; i++) await login(u.email, 'wrong password!').expect(401);
    await expireLock(u.id);
    await login(u.email, PASSWORD).expect(200);
    expect(await failures(u.id)).toEqual({ n: 0, locked_until: null });
  });

  it('L2 20 wrong passwords at once → the lock engages; failures racing past it do not extend it', async () => {
    const u = await registerUser(t);
    const results = await Promise.all(Array.from({ length: 20 }, () => login(u.email, 'wrong password!')));
    expect(results.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    const state = await failures(u.id);
    // Counted only until locked: the lock is the first one, one minute.
    expect(state.n).toBe(5);
    const res = await login(u.email, PASSWORD).expect(429);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('locking one account leaves others alone', async () => {
    const a = await registerUser(t);
    const b = await registerUser(t);
    for (let i = 0; i < 5; i++) await login(a.email, 'wrong password!').expect(401);
    await login(a.email, PASSWORD).expect(429);
    await login(b.email, PASSWORD).expect(200);
  });

  it('unknown emails answer the same 401 every time (there is no account to lock)', async () => {
    const ghost = uniqueEmail('ghost');
    for (let i = 0; i < 7; i++) {
      const res = await login(ghost, 'wrong password!').expect(401);
      expect(res.body.error.code).toBe('invalid_credentials');
    }
  });
});

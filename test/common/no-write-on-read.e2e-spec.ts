import { randomUUID } from 'node:crypto';
import { HybridThrottlerStorage } from '../../src/common/rate-limit/hybrid-throttler.storage';
import { PostgresThrottlerStorage } from '../../src/common/rate-limit/postgres-throttler.storage';
import { bearer, makeAdmin, registerUser, TestUser } from '../support/factories';
import { StatementRecorder } from '../support/statements';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

/**
 * Issue 11 item 1: a read sends no write to PostgreSQL — the rate-limit count is kept in memory
 * (flushed in the background, L1 with a stated bound) and the caller's principal is cached per
 * process (invalidated through LISTEN/NOTIFY, A5) — and loses nothing that those bought.
 */
describe('no database write on a read', () => {
  let t: TestApp;
  let second: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    second = await createTestApp({}, { databaseUrl: t.databaseUrl });
    admin = await makeAdmin(t);
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  const counter = async (key: string) =>
    ((await t.ds.query(`SELECT hits FROM rate_limit_hits WHERE key = $1`, [key])) as Array<{ hits: number }>)[0]?.hits ?? null;

  it('a signed-in GET, once its principal is cached, sends one statement — its own read — and writes nothing', async () => {
    const user = await registerUser(t, 'customer');
    await t.http.get('/v1/me').set(bearer(user.accessToken)).expect(200);
    const recorder = StatementRecorder.attach(t.ds);
    try {
      const sent = await recorder.fewestDuring(() => t.http.get('/v1/me').set(bearer(user.accessToken)).expect(200));
      expect(sent.filter((s) => /^(INSERT|UPDATE|DELETE|WITH)/i.test(s))).toEqual([]);
      expect(sent.filter((s) => /rate_limit|fixbid_rate_limit_hit/.test(s))).toEqual([]);
      expect(sent).toHaveLength(1);
    } finally {
      recorder.detach(t.ds);
    }
  });

  it('L1 within a quarter of its budget a caller is counted in memory, and the count reaches PostgreSQL at the next flush', async () => {
    const storage = new HybridThrottlerStorage(new PostgresThrottlerStorage(t.ds));
    try {
      const key = `test-${randomUUID()}`;
      for (let i = 1; i <= 25; i++) expect(await storage.increment(key, 60_000, 100, 0, 'default')).toMatchObject({ totalHits: i, isBlocked: false });
      expect(await counter(key)).toBeNull();
      await storage.flush();
      expect(await counter(key)).toBe(25);
      // From a quarter on, each hit is counted in PostgreSQL at once.
      expect(await storage.increment(key, 60_000, 100, 0, 'default')).toMatchObject({ totalHits: 26 });
      expect(await counter(key)).toBe(26);
    } finally {
      await storage.close();
    }
  });

  it('L1 login and register (and small budgets) are always counted in PostgreSQL at once: no overshoot there', async () => {
    const storage = new HybridThrottlerStorage(new PostgresThrottlerStorage(t.ds));
    try {
      for (const [name, limit] of [['auth-ip', 1000], ['auth-email', 1000], ['default', 20]] as const) {
        const key = `test-${randomUUID()}`;
        await storage.increment(key, 60_000, limit, 0, name);
        expect(await counter(key)).toBe(1);
      }
    } finally {
      await storage.close();
    }
  });

  it('L1 two processes hammering one budget of 100 admit at least 100 and at most 100 + (2 − 1) · 25', async () => {
    const stores = [new HybridThrottlerStorage(new PostgresThrottlerStorage(t.ds)), new HybridThrottlerStorage(new PostgresThrottlerStorage(t.ds))];
    try {
      const key = `test-${randomUUID()}`;
      const results = await Promise.all(Array.from({ length: 300 }, (_, i) => stores[i % 2].increment(key, 60_000, 100, 0, 'default')));
      const admitted = results.filter((r) => !r.isBlocked && r.totalHits <= 100 + 25).length;
      expect(admitted).toBeGreaterThanOrEqual(100);
      expect(admitted).toBeLessThanOrEqual(125);
      await Promise.all(stores.map((s) => s.flush()));
      expect(await counter(key)).toBeGreaterThanOrEqual(100);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('A5 a suspension bites at the next request on every process, though each had the principal cached', async () => {
    const user = await registerUser(t, 'customer');
    for (const app of [t, second]) await app.http.get('/v1/me').set(bearer(user.accessToken)).expect(200);
    await t.http.post(`/v1/admin/users/${user.id}/suspend`).set('authorization', admin.auth).expect(200);
    await waitFor('suspension heard by the second process', async () => (await second.http.get('/v1/me').set(bearer(user.accessToken))).status === 401, 1000);
    expect((await t.http.get('/v1/me').set(bearer(user.accessToken)).expect(401)).body.error.code).toBe('account_suspended');
  });

  it('A5 while a process cannot hear notifications it serves nothing from its cache: a suspension made meanwhile still bites', async () => {
    const user = await registerUser(t, 'customer');
    await second.http.get('/v1/me').set(bearer(user.accessToken)).expect(200);
    // Cut the second process's listening connection (both apps listen under this name; the second's is the newest).
    await t.ds.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'fixbid-listen' AND datname = current_database()`,
    );
    await t.http.post(`/v1/admin/users/${user.id}/suspend`).set('authorization', admin.auth).expect(200);
    expect((await second.http.get('/v1/me').set(bearer(user.accessToken)).expect(401)).body.error.code).toBe('account_suspended');
    await t.http.post(`/v1/admin/users/${user.id}/unsuspend`).set('authorization', admin.auth).expect(200);
    await waitFor('listening again, then the unsuspension is served', async () => (await second.http.get('/v1/me').set(bearer(user.accessToken))).status === 200, 5000);
  });
});

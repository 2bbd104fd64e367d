import { randomUUID } from 'node:crypto';
import { SealedBox } from '../../src/common/crypto/sealed-box';
import { requestFingerprint } from '../../src/common/idempotency/request-fingerprint';
import { bearer, makeAdmin, PASSWORD, registerUser, uniqueEmail } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Idempotency-Key (I1-I5, R4, B7) through the real routes: register and login (anonymous, so
 * the key belongs to the client address), logout (204) and the admin suspend route (a key
 * belonging to a user).
 */
describe('Idempotency-Key', () => {
  let t: TestApp;
  let second: TestApp;
  let ipCounter = 0;

  beforeAll(async () => {
    t = await createTestApp();
    second = await createTestApp({}, { databaseUrl: t.databaseUrl });
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  /** Each test calls from its own address, so anonymous keys of different tests never meet. */
  const freshIp = () => `203.0.113.${++ipCounter}`;
  const newKey = () => `key-${randomUUID()}`;
  const registration = (email = uniqueEmail()) => ({ email, password: PASSWORD, displayName: 'Idem Potent', role: 'customer' });

  const register = (app: TestApp, ip: string, key: string | undefined, body: object) => {
    const req = app.http.post('/v1/auth/register').set('X-Forwarded-For', ip);
    return (key === undefined ? req : req.set('Idempotency-Key', key)).send(body);
  };
  const usersWithEmail = async (email: string) =>
    Number((await t.ds.query(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [email]))[0].n);
  const sealed = () => new SealedBox(t.config.jwtSecret, 'idempotency-response');
  const keyRows = (key: string) =>
    t.ds.query(`SELECT principal, request_hash, response_status, response_body, lock_token FROM idempotency_keys WHERE key = $1`, [key]);

  it('I1 same key + same body → the first response replayed (status, body) with Idempotent-Replayed: true', async () => {
    const ip = freshIp();
    const key = newKey();
    const body = registration();
    const first = await register(t, ip, key, body).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    // Same body with its keys in another order is the same request.
    const reordered = { role: body.role, displayName: body.displayName, password: body.password, email: body.email };
    const again = await register(t, ip, key, reordered).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toMatch(/^application\/json/);
    expect(again.body).toEqual(first.body); // the same user and the same tokens, not a second sign-up
    expect(again.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(await usersWithEmail(body.email)).toBe(1);
    // The stored answer carries tokens: it is sealed at rest, never in clear (S5).
    const [row] = await keyRows(key);
    expect(row.response_body).not.toContain(first.body.refreshToken);
    expect(JSON.parse(sealed().open(row.response_body))).toEqual(first.body);
  });

  it('I2 same key, other body or other route → 422 idempotency_key_reused, nothing done', async () => {
    const ip = freshIp();
    const key = newKey();
    await register(t, ip, key, registration()).expect(201);
    const other = registration();
    const res = await register(t, ip, key, other).expect(422);
    expect(res.body.error).toEqual({
      type: 'invalid_request', code: 'idempotency_key_reused', message: expect.any(String),
      param: 'Idempotency-Key', requestId: res.headers['x-request-id'],
    });
    expect(await usersWithEmail(other.email)).toBe(0);

    const login = await t.http.post('/v1/auth/login').set('X-Forwarded-For', ip).set('Idempotency-Key', key)
      .send({ email: other.email, password: PASSWORD }).expect(422);
    expect(login.body.error.code).toBe('idempotency_key_reused');
  });

  it('R4 register ×10 concurrently with one key → one 201, the rest 409 idempotency_key_in_use or replays; one user', async () => {
    const ip = freshIp();
    const key = newKey();
    const body = registration();
    const responses = await Promise.all(Array.from({ length: 10 }, () => register(t, ip, key, body)));

    const executed = responses.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined);
    const replayed = responses.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === 'true');
    const inUse = responses.filter((r) => r.status === 409);
    expect(executed).toHaveLength(1);
    expect(replayed.length + inUse.length).toBe(9);
    // Without the key the losers would have run and answered 409 email_taken.
    for (const r of inUse) expect(r.body.error).toMatchObject({ type: 'conflict', code: 'idempotency_key_in_use' });
    for (const r of replayed) expect(r.body).toEqual(executed[0].body);
    expect(await usersWithEmail(body.email)).toBe(1);
    expect(await keyRows(key)).toHaveLength(1);

    // I3: nothing was stored for the losers; a retry once the first is done replays it.
    const later = await register(t, ip, key, body).expect(201);
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(later.body).toEqual(executed[0].body);
  });

  it('I3 the row is the lock across two server processes: ×10 split over two instances → one sign-up', async () => {
    const ip = freshIp();
    const key = newKey();
    const body = registration();
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => register(i % 2 ? second : t, ip, key, body)));
    const executed = responses.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined);
    expect(executed).toHaveLength(1);
    for (const r of responses.filter((r) => r !== executed[0])) {
      if (r.status === 201) expect(r.body).toEqual(executed[0].body);
      else expect(r.body.error.code).toBe('idempotency_key_in_use');
    }
    expect(await usersWithEmail(body.email)).toBe(1);
  });

  describe('a key whose first request is still running (I3)', () => {
    const inFlight = async (ip: string, key: string, body: object, lockedSecondsAgo: number) => {
      await t.ds.query(
        `INSERT INTO idempotency_keys (principal, key, request_hash, lock_token, locked_at, created_at)
         VALUES ($1, $2, $3, $4, now() - make_interval(secs => $5), now() - make_interval(secs => $5))`,
        [`anon:${ip}`, key, requestFingerprint('POST', '/v1/auth/register', body), randomUUID(), lockedSecondsAgo],
      );
    };

    it('I3 → 409 idempotency_key_in_use; the loser changes nothing; once the first completes a retry replays', async () => {
      const ip = freshIp();
      const key = newKey();
      const body = registration();
      await inFlight(ip, key, body, 5);
      const [before] = await keyRows(key);

      const res = await register(t, ip, key, body).expect(409);
      expect(res.body.error).toEqual({
        type: 'conflict', code: 'idempotency_key_in_use', message: expect.any(String),
        param: 'Idempotency-Key', requestId: res.headers['x-request-id'],
      });
      expect(await keyRows(key)).toEqual([before]);
      expect(await usersWithEmail(body.email)).toBe(0);

      // The first request finishes (as its process would), then the retry gets its answer.
      await t.ds.query(`UPDATE idempotency_keys SET response_status = 201, response_body = $2, lock_token = NULL WHERE key = $1`, [
        key, sealed().seal(JSON.stringify({ first: true })),
      ]);
      const retry = await register(t, ip, key, body).expect(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual({ first: true });
      expect(await usersWithEmail(body.email)).toBe(0);
    });

    it('an in-flight key older than the 60 s lease (a crashed process) is taken over and runs', async () => {
      const ip = freshIp();
      const key = newKey();
      const body = registration();
      await inFlight(ip, key, body, 61);
      const res = await register(t, ip, key, body).expect(201);
      expect(res.headers['idempotent-replayed']).toBeUndefined();
      expect(await usersWithEmail(body.email)).toBe(1);
      const [row] = await keyRows(key);
      expect(row).toMatchObject({ response_status: 201, lock_token: null });
      expect(JSON.parse(sealed().open(row.response_body))).toEqual(res.body);
    });

    it('…but not by a different request: an abandoned key with another body is still 422', async () => {
      const ip = freshIp();
      const key = newKey();
      await inFlight(ip, key, registration(), 61);
      const res = await register(t, ip, key, registration()).expect(422);
      expect(res.body.error.code).toBe('idempotency_key_reused');
    });
  });

  it('a key older than 24 h is forgotten: the same key runs afresh, even with another body', async () => {
    const ip = freshIp();
    const key = newKey();
    await register(t, ip, key, registration()).expect(201);
    await t.ds.query(`UPDATE idempotency_keys SET created_at = now() - interval '24 hours 1 second' WHERE key = $1`, [key]);
    const other = registration();
    const res = await register(t, ip, key, other).expect(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(res.body.user.email).toBe(other.email);
    const [row] = await t.ds.query(`SELECT created_at > now() - interval '1 minute' AS fresh FROM idempotency_keys WHERE key = $1`, [key]);
    expect(row.fresh).toBe(true);
  });

  it('business-rule errors are results: 409 email_taken is stored and replayed even after the cause is gone', async () => {
    const ip = freshIp();
    const key = newKey();
    const taken = await registerUser(t);
    const body = registration(taken.email);
    const first = await register(t, ip, key, body).expect(409);
    expect(first.body.error.code).toBe('email_taken');

    await t.ds.query(`DELETE FROM users WHERE id = $1`, [taken.id]); // a re-run would now succeed
    const again = await register(t, ip, key, body).expect(409);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // Replayed as sent, so the envelope keeps the first request's requestId (the header is this one's).
    expect(again.body).toEqual(first.body);
    expect(again.body.error.requestId).toBe(first.headers['x-request-id']);
    expect(await usersWithEmail(body.email)).toBe(0);
  });

  it('I5 a validation 400 is not stored: the same key then runs the corrected request', async () => {
    const ip = freshIp();
    const key = newKey();
    const body = registration();
    const bad = await register(t, ip, key, { ...body, password: 'short' }).expect(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_field', param: 'password' });
    expect(await keyRows(key)).toEqual([]);
    const good = await register(t, ip, key, body).expect(201);
    expect(good.headers['idempotent-replayed']).toBeUndefined();
  });

  it('I5 a 401 from the handler (wrong password) is not stored; a 401 from the auth guard never reaches the store', async () => {
    const ip = freshIp();
    const user = await registerUser(t);
    const key = newKey();
    const wrong = { email: user.email, password: `${PASSWORD}!` };
    await t.http.post('/v1/auth/login').set('X-Forwarded-For', ip).set('Idempotency-Key', key).send(wrong).expect(401);
    expect(await keyRows(key)).toEqual([]);
    const right = await t.http.post('/v1/auth/login').set('X-Forwarded-For', ip).set('Idempotency-Key', key)
      .send({ email: user.email, password: PASSWORD }).expect(200);
    expect(right.body.user.id).toBe(user.id);

    const guardKey = newKey();
    const res = await t.http.post(`/v1/admin/users/${user.id}/suspend`).set('Idempotency-Key', guardKey).expect(401);
    expect(res.body.error.code).toBe('authentication_required');
    expect(await keyRows(guardKey)).toEqual([]);
  });

  it('I5 a 5xx is not stored: once the fault is gone the same key runs afresh', async () => {
    const ip = freshIp();
    const key = newKey();
    const body = registration(uniqueEmail('boom'));
    // A fault in this file's own database: inserting this user fails as if the database broke.
    await t.ds.query(`CREATE FUNCTION idem_test_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.email LIKE 'boom-%' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END $$`);
    await t.ds.query(`CREATE TRIGGER idem_test_boom BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION idem_test_boom()`);
    try {
      const failed = await register(t, ip, key, body).expect(500);
      expect(failed.body.error.code).toBe('internal_error');
      expect(await keyRows(key)).toEqual([]);
    } finally {
      await t.ds.query(`DROP TRIGGER idem_test_boom ON users`);
      await t.ds.query(`DROP FUNCTION idem_test_boom()`);
    }
    const retried = await register(t, ip, key, body).expect(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(await usersWithEmail(body.email)).toBe(1);
  });

  it('an empty 204 (logout) replays as 204 with no body', async () => {
    const user = await registerUser(t);
    const key = newKey();
    const send = () => t.http.post('/v1/auth/logout').set('Idempotency-Key', key).send({ refreshToken: user.refreshToken });
    const first = await send().expect(204);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await send().expect(204);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe('');
  });

  it('B7 a 256-character key → 400 invalid_idempotency_key and nothing runs; 255 is accepted', async () => {
    const ip = freshIp();
    const body = registration();
    const res = await register(t, ip, 'k'.repeat(256), body).expect(400);
    expect(res.body.error).toEqual({
      type: 'invalid_request', code: 'invalid_idempotency_key', message: expect.any(String),
      param: 'Idempotency-Key', requestId: res.headers['x-request-id'],
    });
    expect(await usersWithEmail(body.email)).toBe(0);
    await register(t, ip, 'k'.repeat(255), body).expect(201);
  });

  describe('I4 keys are scoped to the caller', () => {
    it('I4 two anonymous clients (two addresses) may use one key for different requests', async () => {
      const key = newKey();
      const a = registration();
      const b = registration();
      const first = await register(t, freshIp(), key, a).expect(201);
      const other = await register(t, freshIp(), key, b).expect(201);
      expect(other.headers['idempotent-replayed']).toBeUndefined();
      expect(other.body.user.email).toBe(b.email);
      expect(first.body.user.email).toBe(a.email);
      expect(await keyRows(key)).toHaveLength(2);
    });

    it('I4 two users may use one key; each user’s own reuse is still checked', async () => {
      const [adminA, adminB] = [await makeAdmin(t), await makeAdmin(t)];
      const [x, y, z] = [await registerUser(t), await registerUser(t), await registerUser(t)];
      const key = newKey();
      const suspend = (admin: { accessToken: string }, userId: string) =>
        t.http.post(`/v1/admin/users/${userId}/suspend`).set(bearer(admin.accessToken)).set('Idempotency-Key', key);

      const a = await suspend(adminA, x.id).expect(200);
      const b = await suspend(adminB, y.id).expect(200);
      expect(a.body.id).toBe(x.id);
      expect(b.body.id).toBe(y.id); // not A's answer replayed, not a 422
      expect(b.headers['idempotent-replayed']).toBeUndefined();
      const rows = await keyRows(key);
      expect(rows.map((r: { principal: string }) => r.principal).sort()).toEqual([`user:${adminA.id}`, `user:${adminB.id}`].sort());

      const reused = await suspend(adminA, z.id).expect(422);
      expect(reused.body.error.code).toBe('idempotency_key_reused');
      const [zRow] = await t.ds.query(`SELECT suspended_at FROM users WHERE id = $1`, [z.id]);
      expect(zRow.suspended_at).toBeNull();
    });

    it('a 422 business error of a user is stored and replayed to that user', async () => {
      const admin = await makeAdmin(t);
      const key = newKey();
      const self = () => t.http.post(`/v1/admin/users/${admin.id}/suspend`).set(bearer(admin.accessToken)).set('Idempotency-Key', key);
      const first = await self().expect(422);
      expect(first.body.error.code).toBe('cannot_suspend_self');
      const again = await self().expect(422);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
    });
  });
});

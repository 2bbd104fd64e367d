import { randomBytes, randomUUID } from 'node:crypto';
import { SealedBox } from '../../src/common/crypto/sealed-box';
import { requestFingerprint } from '../../src/common/idempotency/request-fingerprint';
import { bearer, makeAdmin, PASSWORD, registerUser, TestUser, validRequest } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Idempotency-Key (I1-I5, R4, B7) through the real routes: posting a help request (a customer's
 * key), cancelling one (a stored 409) and the admin suspend route (keys of two users). The auth
 * routes are left out of idempotency since contract v1.1: their answers carry token pairs, so
 * the header is accepted there and ignored (last describe block).
 */
describe('Idempotency-Key', () => {
  let t: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    second = await createTestApp({}, { databaseUrl: t.databaseUrl });
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  const newKey = () => `key-${randomUUID()}`;
  /** A request body with a title of its own, so each test can count its rows. */
  const helpRequest = (title = `Idempotent ${randomBytes(4).toString('hex')}`) => validRequest({ title });
  /** A customer of its own per test: the hourly posting quota and the keys of different tests never meet. */
  const customer = () => registerUser(t, 'customer');

  const post = (app: TestApp, user: TestUser, key: string | undefined, body: object) => {
    const req = app.http.post('/v1/requests').set('authorization', user.auth);
    return (key === undefined ? req : req.set('Idempotency-Key', key)).send(body);
  };
  const requestsTitled = async (title: string) =>
    Number((await t.ds.query(`SELECT count(*)::int AS n FROM help_requests WHERE title = $1`, [title]))[0].n);
  const sealed = () => new SealedBox(t.config.jwtSecret, 'idempotency-response');
  const keyRows = (key: string) =>
    t.ds.query(`SELECT principal, request_hash, response_status, response_body, lock_token FROM idempotency_keys WHERE key = $1`, [key]);

  it('I1 same key + same body → the first response replayed (status, body) with Idempotent-Replayed: true', async () => {
    const user = await customer();
    const key = newKey();
    const body = helpRequest();
    const first = await post(t, user, key, body).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    // Same body with its keys in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await post(t, user, key, reordered).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toMatch(/^application\/json/);
    expect(again.body).toEqual(first.body); // the same request, not a second one
    expect(again.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(await requestsTitled(body.title as string)).toBe(1);
    // Stored answers are sealed at rest, never in clear (S5).
    const [row] = await keyRows(key);
    expect(row.principal).toBe(`user:${user.id}`);
    expect(row.response_body).not.toContain(first.body.id);
    expect(JSON.parse(sealed().open(row.response_body))).toEqual(first.body);
  });

  it('I2 same key, other body or other route → 422 idempotency_key_reused, nothing done', async () => {
    const user = await customer();
    const key = newKey();
    const created = await post(t, user, key, helpRequest()).expect(201);
    const other = helpRequest();
    const res = await post(t, user, key, other).expect(422);
    expect(res.body.error).toEqual({
      type: 'invalid_request', code: 'idempotency_key_reused', message: expect.any(String),
      param: 'Idempotency-Key', requestId: res.headers['x-request-id'],
    });
    expect(await requestsTitled(other.title as string)).toBe(0);

    const cancel = await t.http.post(`/v1/requests/${created.body.id}/cancel`).set('authorization', user.auth).set('Idempotency-Key', key).expect(422);
    expect(cancel.body.error.code).toBe('idempotency_key_reused');
    const [row] = await t.ds.query(`SELECT status FROM help_requests WHERE id = $1`, [created.body.id]);
    expect(row.status).toBe('open');
  });

  it('R4 POST /v1/requests ×10 concurrently with one key → one 201, the rest 409 idempotency_key_in_use or replays; one row', async () => {
    const user = await customer();
    const key = newKey();
    const body = helpRequest();
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(t, user, key, body)));

    const executed = responses.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined);
    const replayed = responses.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === 'true');
    const inUse = responses.filter((r) => r.status === 409);
    expect(executed).toHaveLength(1);
    expect(replayed.length + inUse.length).toBe(9);
    for (const r of inUse) expect(r.body.error).toMatchObject({ type: 'conflict', code: 'idempotency_key_in_use' });
    for (const r of replayed) expect(r.body).toEqual(executed[0].body);
    expect(await requestsTitled(body.title as string)).toBe(1);
    expect(await keyRows(key)).toHaveLength(1);

    // I3: nothing was stored for the losers; a retry once the first is done replays it.
    const later = await post(t, user, key, body).expect(201);
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(later.body).toEqual(executed[0].body);
  });

  it('I3 the row is the lock across two server processes: ×10 split over two instances → one request', async () => {
    const user = await customer();
    const key = newKey();
    const body = helpRequest();
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => post(i % 2 ? second : t, user, key, body)));
    const executed = responses.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined);
    expect(executed).toHaveLength(1);
    for (const r of responses.filter((r) => r !== executed[0])) {
      if (r.status === 201) expect(r.body).toEqual(executed[0].body);
      else expect(r.body.error.code).toBe('idempotency_key_in_use');
    }
    expect(await requestsTitled(body.title as string)).toBe(1);
  });

  describe('a key whose first request is still running (I3)', () => {
    const inFlight = async (user: TestUser, key: string, body: object, lockedSecondsAgo: number) => {
      await t.ds.query(
        `INSERT INTO idempotency_keys (principal, key, request_hash, lock_token, locked_at, created_at)
         VALUES ($1, $2, $3, $4, now() - make_interval(secs => $5), now() - make_interval(secs => $5))`,
        [`user:${user.id}`, key, requestFingerprint('POST', '/v1/requests', body), randomUUID(), lockedSecondsAgo],
      );
    };

    it('I3 → 409 idempotency_key_in_use; the loser changes nothing; once the first completes a retry replays', async () => {
      const user = await customer();
      const key = newKey();
      const body = helpRequest();
      await inFlight(user, key, body, 5);
      const [before] = await keyRows(key);

      const res = await post(t, user, key, body).expect(409);
      expect(res.body.error).toEqual({
        type: 'conflict', code: 'idempotency_key_in_use', message: expect.any(String),
        param: 'Idempotency-Key', requestId: res.headers['x-request-id'],
      });
      expect(await keyRows(key)).toEqual([before]);
      expect(await requestsTitled(body.title as string)).toBe(0);

      // The first request finishes (as its process would), then the retry gets its answer.
      await t.ds.query(`UPDATE idempotency_keys SET response_status = 201, response_body = $2, lock_token = NULL WHERE key = $1`, [
        key, sealed().seal(JSON.stringify({ first: true })),
      ]);
      const retry = await post(t, user, key, body).expect(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual({ first: true });
      expect(await requestsTitled(body.title as string)).toBe(0);
    });

    it('an in-flight key older than the 60 s lease (a crashed process) is taken over and runs', async () => {
      const user = await customer();
      const key = newKey();
      const body = helpRequest();
      await inFlight(user, key, body, 61);
      const res = await post(t, user, key, body).expect(201);
      expect(res.headers['idempotent-replayed']).toBeUndefined();
      expect(await requestsTitled(body.title as string)).toBe(1);
      const [row] = await keyRows(key);
      expect(row).toMatchObject({ response_status: 201, lock_token: null });
      expect(JSON.parse(sealed().open(row.response_body))).toEqual(res.body);
    });

    it('…but not by a different request: an abandoned key with another body is still 422', async () => {
      const user = await customer();
      const key = newKey();
      await inFlight(user, key, helpRequest(), 61);
      const res = await post(t, user, key, helpRequest()).expect(422);
      expect(res.body.error.code).toBe('idempotency_key_reused');
    });
  });

  it('a key older than 24 h is forgotten: the same key runs afresh, even with another body', async () => {
    const user = await customer();
    const key = newKey();
    await post(t, user, key, helpRequest()).expect(201);
    await t.ds.query(`UPDATE idempotency_keys SET created_at = now() - interval '24 hours 1 second' WHERE key = $1`, [key]);
    const other = helpRequest();
    const res = await post(t, user, key, other).expect(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(res.body.title).toBe(other.title);
    const [row] = await t.ds.query(`SELECT created_at > now() - interval '1 minute' AS fresh FROM idempotency_keys WHERE key = $1`, [key]);
    expect(row.fresh).toBe(true);
  });

  it('business-rule errors are results: 409 request_not_open is stored and replayed even after the cause is gone', async () => {
    const user = await customer();
    const key = newKey();
    const created = await post(t, user, undefined, helpRequest()).expect(201);
    const cancel = () => t.http.post(`/v1/requests/${created.body.id}/cancel`).set('authorization', user.auth);
    await cancel().expect(200);
    const first = await cancel().set('Idempotency-Key', key).expect(409);
    expect(first.body.error.code).toBe('request_not_open');

    await t.ds.query(`UPDATE help_requests SET status = 'open' WHERE id = $1`, [created.body.id]); // a re-run would now succeed
    const again = await cancel().set('Idempotency-Key', key).expect(409);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // Replayed as sent, so the envelope keeps the first request's requestId (the header is this one's).
    expect(again.body).toEqual(first.body);
    expect(again.body.error.requestId).toBe(first.headers['x-request-id']);
    const [row] = await t.ds.query(`SELECT status FROM help_requests WHERE id = $1`, [created.body.id]);
    expect(row.status).toBe('open');
  });

  it('I5 a validation 400 is not stored: the same key then runs the corrected request', async () => {
    const user = await customer();
    const key = newKey();
    const body = helpRequest();
    const bad = await post(t, user, key, { ...body, title: 'x' }).expect(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_field', param: 'title' });
    expect(await keyRows(key)).toEqual([]);
    const good = await post(t, user, key, body).expect(201);
    expect(good.headers['idempotent-replayed']).toBeUndefined();
  });

  it('I5 a 401 from the auth guard never reaches the store', async () => {
    const user = await registerUser(t);
    const guardKey = newKey();
    const res = await t.http.post(`/v1/admin/users/${user.id}/suspend`).set('Idempotency-Key', guardKey).expect(401);
    expect(res.body.error.code).toBe('authentication_required');
    expect(await keyRows(guardKey)).toEqual([]);
  });

  it('I5 a 5xx is not stored: once the fault is gone the same key runs afresh', async () => {
    const user = await customer();
    const key = newKey();
    const body = helpRequest(`boom ${randomBytes(4).toString('hex')}`);
    // A fault in this file's own database: inserting this request fails as if the database broke.
    await t.ds.query(`CREATE FUNCTION idem_test_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.title LIKE 'boom %' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END $$`);
    await t.ds.query(`CREATE TRIGGER idem_test_boom BEFORE INSERT ON help_requests FOR EACH ROW EXECUTE FUNCTION idem_test_boom()`);
    try {
      const failed = await post(t, user, key, body).expect(500);
      expect(failed.body.error.code).toBe('internal_error');
      expect(await keyRows(key)).toEqual([]);
    } finally {
      await t.ds.query(`DROP TRIGGER idem_test_boom ON help_requests`);
      await t.ds.query(`DROP FUNCTION idem_test_boom()`);
    }
    const retried = await post(t, user, key, body).expect(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(await requestsTitled(body.title as string)).toBe(1);
  });

  it('B7 a 256-character key → 400 invalid_idempotency_key and nothing runs; 255 is accepted', async () => {
    const user = await customer();
    const body = helpRequest();
    const res = await post(t, user, 'k'.repeat(256), body).expect(400);
    expect(res.body.error).toEqual({
      type: 'invalid_request', code: 'invalid_idempotency_key', message: expect.any(String),
      param: 'Idempotency-Key', requestId: res.headers['x-request-id'],
    });
    expect(await requestsTitled(body.title as string)).toBe(0);
    await post(t, user, 'k'.repeat(255), body).expect(201);
  });

  describe('I4 keys are scoped to the caller', () => {
    it('I4 two customers may use one key for different requests', async () => {
      const key = newKey();
      const [a, b] = [await customer(), await customer()];
      const [bodyA, bodyB] = [helpRequest(), helpRequest()];
      const first = await post(t, a, key, bodyA).expect(201);
      const other = await post(t, b, key, bodyB).expect(201);
      expect(other.headers['idempotent-replayed']).toBeUndefined();
      expect(other.body.title).toBe(bodyB.title);
      expect(first.body.title).toBe(bodyA.title);
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

  describe('/v1/auth/* is left out (v1.1): the header is accepted and ignored', () => {
    const ip = '203.0.113.77';
    const login = (key: string, body: object) =>
      t.http.post('/v1/auth/login').set('X-Forwarded-For', ip).set('Idempotency-Key', key).send(body);

    it('two logins with one key from one address → two different token pairs, nothing stored', async () => {
      const user = await registerUser(t);
      const key = newKey();
      const first = await login(key, { email: user.email, password: PASSWORD }).expect(200);
      const second = await login(key, { email: user.email, password: PASSWORD }).expect(200);
      expect(second.headers['idempotent-replayed']).toBeUndefined();
      expect(second.body.user.id).toBe(user.id);
      // A new pair: its refresh token is new (the JWT of the same user in the same second may be equal).
      expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
      // Another caller behind the same address with the same key gets its own answer, not this one's.
      const other = await registerUser(t);
      const theirs = await login(key, { email: other.email, password: PASSWORD }).expect(200);
      expect(theirs.body.user.id).toBe(other.id);
      expect(await keyRows(key)).toEqual([]);
    });

    it('register, refresh and logout run every time and store nothing; a malformed key is ignored too', async () => {
      const key = newKey();
      const registration = { email: `idem-${randomBytes(4).toString('hex')}@example.com`, password: PASSWORD, displayName: 'Idem Potent', role: 'customer' };
      const signUp = await t.http.post('/v1/auth/register').set('X-Forwarded-For', ip).set('Idempotency-Key', key).send(registration).expect(201);
      const again = await t.http.post('/v1/auth/register').set('X-Forwarded-For', ip).set('Idempotency-Key', key).send(registration).expect(409);
      expect(again.body.error.code).toBe('email_taken'); // it ran again: no replay of the tokens
      const refreshed = await t.http.post('/v1/auth/refresh').set('Idempotency-Key', 'k'.repeat(256))
        .send({ refreshToken: signUp.body.refreshToken }).expect(200);
      const logout = () => t.http.post('/v1/auth/logout').set('Idempotency-Key', key).send({ refreshToken: refreshed.body.refreshToken });
      expect((await logout().expect(204)).headers['idempotent-replayed']).toBeUndefined();
      expect((await logout().expect(204)).headers['idempotent-replayed']).toBeUndefined();
      expect(await keyRows(key)).toEqual([]);
      expect(await keyRows('k'.repeat(256))).toEqual([]);
    });
  });
});

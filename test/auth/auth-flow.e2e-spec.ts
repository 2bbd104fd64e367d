import { createTestApp, TestApp } from '../support/test-app';
import { bearer, PASSWORD, registerUser, uniqueEmail } from '../support/factories';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('auth: register, login, refresh, logout, me', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('register → 201 {user, accessToken, refreshToken}; the user has the /v1/me shape', async () => {
    const email = uniqueEmail('Alice').replace('alice', 'Alice');
    const res = await t.http
      .post('/v1/auth/register')
      .send({ email, password: PASSWORD, displayName: '  Alice Example ', role: 'expert' })
      .expect(201);
    expect(Object.keys(res.body).sort()).toEqual(['accessToken', 'refreshToken', 'user']);
    expect(res.body.user).toEqual({
      id: expect.stringMatching(UUID),
      email: email.toLowerCase(),
      displayName: 'Alice Example',
      role: 'expert',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(res.body.accessToken.split('.')).toHaveLength(3);
    expect(res.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const me = await t.http.get('/v1/me').set(bearer(res.body.accessToken)).expect(200);
    expect(me.body).toEqual(res.body.user);
  });

  it('S1/S5 stores an argon2id hash and only a SHA-256 of the refresh token, never the secrets', async () => {
    const u = await registerUser(t);
    const [row] = await t.ds.query(`SELECT email, password_hash FROM users WHERE id = $1`, [u.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(row.password_hash).not.toContain(PASSWORD);
    const tokens = await t.ds.query(`SELECT token_hash FROM refresh_tokens WHERE user_id = $1`, [u.id]);
    expect(tokens).toHaveLength(1);
    expect(tokens[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens[0].token_hash).not.toBe(u.refreshToken);
  });

  it('email taken case-insensitively → 409 email_taken', async () => {
    const u = await registerUser(t);
    const res = await t.http
      .post('/v1/auth/register')
      .send({ email: u.email.toUpperCase(), password: PASSWORD, displayName: 'Copycat', role: 'customer' })
      .expect(409);
    expect(res.body.error).toMatchObject({ type: 'conflict', code: 'email_taken', param: 'email', requestId: expect.any(String) });
  });

  it('full-width letters fold to the plain address (NFKC): ＡＤＭＩＮ@… is the same account as admin@…', async () => {
    const local = `fw${Date.now()}`;
    const wide = [...local].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('').toUpperCase();
    const first = await registerUser(t, 'customer', { email: `${local}@example.com` });
    const res = await t.http
      .post('/v1/auth/register')
      .send({ email: `${wide}@example.com`, password: PASSWORD, displayName: 'Twin', role: 'customer' })
      .expect(409);
    expect(res.body.error.code).toBe('email_taken');
    const login = await t.http.post('/v1/auth/login').send({ email: `${wide}@ＥＸＡＭＰＬＥ.com`, password: PASSWORD }).expect(200);
    expect(login.body.user.id).toBe(first.id);
  });

  it('two racing registers with one email (differing in case) → one 201, one 409; one row', async () => {
    const email = uniqueEmail('race');
    const send = (address: string) =>
      t.http.post('/v1/auth/register').send({ email: address, password: PASSWORD, displayName: 'Racer', role: 'customer' });
    const results = await Promise.all([send(email), send(email.toUpperCase()), send(email), send(email.toUpperCase())]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('email_taken');
    const [{ count }] = await t.ds.query(`SELECT count(*)::int AS count FROM users WHERE email = $1`, [email]);
    expect(count).toBe(1);
  });

  it('login → 200 with a new pair; email is case-insensitive and trimmed', async () => {
    const u = await registerUser(t);
    const res = await t.http.post('/v1/auth/login').send({ email: `  ${u.email.toUpperCase()} `, password: PASSWORD }).expect(200);
    expect(res.body.user.id).toBe(u.id);
    expect(res.body.refreshToken).not.toBe(u.refreshToken);
    await t.http.get('/v1/me').set(bearer(res.body.accessToken)).expect(200);
  });

  it('S2 wrong email and wrong password → the same 401 body, and both run argon2 (about the same time)', async () => {
    const u = await registerUser(t);
    const wrongPassword = () => t.http.post('/v1/auth/login').send({ email: u.email, password: 'not the password' });
    const unknownEmail = () => t.http.post('/v1/auth/login').send({ email: uniqueEmail('ghost'), password: PASSWORD });
    const a = await wrongPassword().expect(401);
    const b = await unknownEmail().expect(401);
    const strip = (body: { error: Record<string, unknown> }) => ({ ...body.error, requestId: undefined });
    expect(strip(a.body)).toEqual(strip(b.body));
    expect(a.body.error).toMatchObject({ type: 'authentication', code: 'invalid_credentials' });

    // Median of a few runs each (stays under the lockout threshold); argon2 dominates both.
    const time = async (call: () => Promise<unknown>) => {
      const started = process.hrtime.bigint();
      await call();
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await time(wrongPassword));
      unknown.push(await time(unknownEmail));
    }
    // Without the dummy verification the unknown-email path would be ~20x faster; the loose
    // bounds keep this stable on a busy machine.
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.33);
    expect(ratio).toBeLessThan(3);
    await t.http.post('/v1/auth/login').send({ email: u.email, password: PASSWORD }).expect(200); // resets the count
  });

  it('refresh → 200 with a new pair; the old refresh token is rotated', async () => {
    const u = await registerUser(t);
    const res = await t.http.post('/v1/auth/refresh').send({ refreshToken: u.refreshToken }).expect(200);
    expect(res.body.user.id).toBe(u.id);
    expect(res.body.refreshToken).not.toBe(u.refreshToken);
    await t.http.get('/v1/me').set(bearer(res.body.accessToken)).expect(200);
    const rows = await t.ds.query(`SELECT rotated_at, family_id FROM refresh_tokens WHERE user_id = $1 ORDER BY created_at`, [u.id]);
    expect(rows).toHaveLength(2);
    expect(rows[0].rotated_at).not.toBeNull();
    expect(rows[1].rotated_at).toBeNull();
    expect(rows[1].family_id).toBe(rows[0].family_id);
    // The next one rotates again.
    await t.http.post('/v1/auth/refresh').send({ refreshToken: res.body.refreshToken }).expect(200);
  });

  it('logout → 204 and the refresh token stops working; logout again is still 204', async () => {
    const u = await registerUser(t);
    await t.http.post('/v1/auth/logout').send({ refreshToken: u.refreshToken }).expect(204);
    const res = await t.http.post('/v1/auth/refresh').send({ refreshToken: u.refreshToken }).expect(401);
    expect(res.body.error.code).toBe('invalid_refresh_token');
    await t.http.post('/v1/auth/logout').send({ refreshToken: u.refreshToken }).expect(204);
    await t.http.post('/v1/auth/logout').send({ refreshToken: 'never-issued' }).expect(204);
  });

  it('logout ends only that session: another login of the same user keeps working', async () => {
    const u = await registerUser(t);
    const other = await t.http.post('/v1/auth/login').send({ email: u.email, password: PASSWORD }).expect(200);
    await t.http.post('/v1/auth/logout').send({ refreshToken: u.refreshToken }).expect(204);
    await t.http.post('/v1/auth/refresh').send({ refreshToken: other.body.refreshToken }).expect(200);
  });

  it('an unknown or expired refresh token → 401 invalid_refresh_token', async () => {
    const u = await registerUser(t);
    const unknown = await t.http.post('/v1/auth/refresh').send({ refreshToken: 'x'.repeat(43) }).expect(401);
    expect(unknown.body.error).toMatchObject({ type: 'authentication', code: 'invalid_refresh_token' });
    await t.ds.query(`UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [u.id]);
    const expired = await t.http.post('/v1/auth/refresh').send({ refreshToken: u.refreshToken }).expect(401);
    expect(expired.body.error.code).toBe('invalid_refresh_token');
  });

  it('S1 a hash made with weaker parameters is upgraded on the next successful login', async () => {
    const argon2 = await import('argon2');
    const u = await registerUser(t);
    const weak = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 8192, timeCost: 1, parallelism: 1 });
    await t.ds.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [u.id, weak]);
    await t.http.post('/v1/auth/login').send({ email: u.email, password: PASSWORD }).expect(200);
    const [row] = await t.ds.query(`SELECT password_hash FROM users WHERE id = $1`, [u.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    await t.http.post('/v1/auth/login').send({ email: u.email, password: PASSWORD }).expect(200);
  });

  it('a user with no password (made by a partner) cannot log in: the same 401', async () => {
    const u = await registerUser(t);
    await t.ds.query(`UPDATE users SET password_hash = NULL WHERE id = $1`, [u.id]);
    const res = await t.http.post('/v1/auth/login').send({ email: u.email, password: PASSWORD }).expect(401);
    expect(res.body.error.code).toBe('invalid_credentials');
  });

  it('/v1/me without a token → 401 authentication_required in the envelope', async () => {
    const res = await t.http.get('/v1/me').expect(401);
    expect(res.body).toEqual({
      error: { type: 'authentication', code: 'authentication_required', message: expect.any(String), requestId: expect.any(String) },
    });
  });

  it('public routes stay public (categories) and auth routes need no token', async () => {
    await t.http.get('/v1/categories').expect(200);
  });
});

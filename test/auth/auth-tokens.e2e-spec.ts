import { createTestApp, TestApp } from '../support/test-app';
import { bearer, registerUser } from '../support/factories';
import { craftJwt, nowSeconds } from './auth-helpers';

describe('auth: access tokens (A6, S4) and refresh rotation (S5, R8)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const me = (token: string) => t.http.get('/v1/me').set(bearer(token));

  async function expectInvalidToken(token: string) {
    const res = await me(token).expect(401);
    expect(res.body.error).toMatchObject({ type: 'authentication', code: 'invalid_token', requestId: expect.any(String) });
    return res;
  }

  describe('A6 forged or stale access tokens → 401 invalid_token', () => {
    let userId: string;
    let secret: string;
    beforeAll(async () => {
      userId = (await registerUser(t)).id;
      secret = t.config.jwtSecret;
    });
    const claims = (extra: Record<string, unknown> = {}) => ({ sub: userId, role: 'customer', typ: 'access', iat: nowSeconds(), exp: nowSeconds() + 600, ...extra });

    it('a token we crafted the right way works (so the refusals below are about what they change)', async () => {
      await me(craftJwt({ alg: 'HS256', typ: 'JWT' }, claims(), secret)).expect(200);
    });

    it('alg none (with or without a signature) is refused', async () => {
      await expectInvalidToken(craftJwt({ alg: 'none', typ: 'JWT' }, claims()));
      await expectInvalidToken(craftJwt({ alg: 'none', typ: 'JWT' }, claims(), secret));
      await expectInvalidToken(craftJwt({ alg: 'NONE', typ: 'JWT' }, claims()));
    });

    it('another HMAC algorithm with the right key is refused (algorithm pinned to HS256)', async () => {
      const { createHmac } = await import('node:crypto');
      const header = Buffer.from(JSON.stringify({ alg: 'HS512', typ: 'JWT' })).toString('base64url');
      const body = Buffer.from(JSON.stringify(claims())).toString('base64url');
      const sig = createHmac('sha512', secret).update(`${header}.${body}`).digest('base64url');
      await expectInvalidToken(`${header}.${body}.${sig}`);
    });

    it('the wrong key is refused', async () => {
      await expectInvalidToken(craftJwt({ alg: 'HS256', typ: 'JWT' }, claims(), `${secret}x`));
    });

    it('expired by 1 second is refused, with an "expired" message', async () => {
      const res = await expectInvalidToken(craftJwt({ alg: 'HS256', typ: 'JWT' }, claims({ iat: nowSeconds() - 901, exp: nowSeconds() - 1 }), secret));
      expect(res.body.error.message).toMatch(/expired/);
    });

    it('a token of another type (typ refresh, or no typ) is not an access token', async () => {
      await expectInvalidToken(craftJwt({ alg: 'HS256', typ: 'JWT' }, claims({ typ: 'refresh' }), secret));
      const { typ: _typ, ...noTyp } = claims();
      await expectInvalidToken(craftJwt({ alg: 'HS256', typ: 'JWT' }, noTyp, secret));
    });

    it('a tampered payload (role: admin) breaks the signature', async () => {
      const good = craftJwt({ alg: 'HS256', typ: 'JWT' }, claims(), secret);
      const [h, , s] = good.split('.');
      const forged = Buffer.from(JSON.stringify(claims({ role: 'admin' }))).toString('base64url');
      await expectInvalidToken(`${h}.${forged}.${s}`);
    });

    it('a signed token for a user that does not exist, or with a non-uuid sub, is refused', async () => {
      await expectInvalidToken(craftJwt({ alg: 'HS256' }, claims({ sub: '00000000-0000-4000-8000-000000000000' }), secret));
      await expectInvalidToken(craftJwt({ alg: 'HS256' }, claims({ sub: "1' OR '1'='1" }), secret));
    });

    it('garbage, a wrong scheme or an empty bearer is invalid_token, not a 500', async () => {
      await expectInvalidToken('not.a.jwt');
      await expectInvalidToken('');
      const basic = await t.http.get('/v1/me').set('Authorization', 'Basic dXNlcjpwYXNz').expect(401);
      expect(basic.body.error.code).toBe('invalid_token');
    });

    it('the role in the token is not trusted: the database role applies', async () => {
      const token = craftJwt({ alg: 'HS256' }, claims({ role: 'admin' }), secret);
      const res = await me(token).expect(200);
      expect(res.body.role).toBe('customer');
      await t.http.post(`/v1/admin/users/${userId}/unsuspend`).set(bearer(token)).expect(403);
    });

    it('issued tokens are HS256, typ access, 15 minutes', async () => {
      const u = await registerUser(t);
      const [h, p] = u.accessToken.split('.').map((part, i) => (i < 2 ? JSON.parse(Buffer.from(part, 'base64url').toString()) : part));
      expect(h).toMatchObject({ alg: 'HS256' });
      expect(p).toMatchObject({ sub: u.id, role: 'customer', typ: 'access' });
      expect(p.exp - p.iat).toBe(900);
    });
  });

  describe('refresh rotation', () => {
    it('S5 reuse after rotation revokes the whole family: the newest token stops working too', async () => {
      const u = await registerUser(t);
      const second = await t.http.post('/v1/auth/refresh').send({ refreshToken: u.refreshToken }).expect(200);
      // The first token again: reuse.
      const reuse = await t.http.post('/v1/auth/refresh').send({ refreshToken: u.refreshToken }).expect(401);
      expect(reuse.body.error.code).toBe('invalid_refresh_token');
      const after = await t.http.post('/v1/auth/refresh').send({ refreshToken: second.body.refreshToken }).expect(401);
      expect(after.body.error.code).toBe('invalid_refresh_token');
      const rows = await t.ds.query(`SELECT revoked_at FROM refresh_tokens WHERE user_id = $1`, [u.id]);
      expect(rows.every((r: { revoked_at: Date | null }) => r.revoked_at !== null)).toBe(true);
    });

    it('reuse revokes only that family: another session of the user survives', async () => {
      const u = await registerUser(t);
      const other = await t.http.post('/v1/auth/login').send({ email: u.email, password: u.password }).expect(200);
      await t.http.post('/v1/auth/refresh').send({ refreshToken: u.refreshToken }).expect(200);
      await t.http.post('/v1/auth/refresh').send({ refreshToken: u.refreshToken }).expect(401);
      await t.http.post('/v1/auth/refresh').send({ refreshToken: other.body.refreshToken }).expect(200);
    });

    it('R8 one refresh token used twice concurrently → exactly one pair, family revoked', async () => {
      for (let round = 0; round < 5; round++) {
        const u = await registerUser(t);
        const results = await Promise.all([1, 2].map(() => t.http.post('/v1/auth/refresh').send({ refreshToken: u.refreshToken })));
        const ok = results.filter((r) => r.status === 200);
        const refused = results.filter((r) => r.status === 401);
        expect(ok).toHaveLength(1);
        expect(refused).toHaveLength(1);
        expect(refused[0].body.error.code).toBe('invalid_refresh_token');
        // The pair the winner got is revoked with the family.
        await t.http.post('/v1/auth/refresh').send({ refreshToken: ok[0].body.refreshToken }).expect(401);
        const rows = await t.ds.query(`SELECT rotated_at, revoked_at FROM refresh_tokens WHERE user_id = $1`, [u.id]);
        expect(rows).toHaveLength(2); // the original and exactly one issued by a refresh
        expect(rows.every((r: { revoked_at: Date | null }) => r.revoked_at !== null)).toBe(true);
      }
    });

    it('R8 five concurrent presentations → still exactly one pair issued', async () => {
      const u = await registerUser(t);
      const results = await Promise.all([1, 2, 3, 4, 5].map(() => t.http.post('/v1/auth/refresh').send({ refreshToken: u.refreshToken })));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 401)).toHaveLength(4);
      const [{ count }] = await t.ds.query(`SELECT count(*)::int AS count FROM refresh_tokens WHERE user_id = $1`, [u.id]);
      expect(count).toBe(2);
    });
  });
});

import { AdminAccountsService, checkAdminCredentials } from '../../src/auth/admin-accounts.service';
import { PasswordHasher } from '../../src/auth/password-hasher';
import { RefreshTokensService } from '../../src/auth/refresh-tokens.service';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer, makeAdmin, PASSWORD, registerUser, TestUser, uniqueEmail } from '../support/factories';

describe('auth: admins, roles and suspension (A5, API5)', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t, { via: 'admin:create' });
  });
  afterAll(() => t.close());

  const suspend = (id: string, token = admin.accessToken) => t.http.post(`/v1/admin/users/${id}/suspend`).set(bearer(token));
  const unsuspend = (id: string, token = admin.accessToken) => t.http.post(`/v1/admin/users/${id}/unsuspend`).set(bearer(token));

  describe('API5 RolesGuard', () => {
    it.each(['customer', 'expert'] as const)('a %s on admin routes → 403 forbidden', async (role) => {
      const u = await registerUser(t, role);
      const other = await registerUser(t);
      for (const res of [await suspend(other.id, u.accessToken), await unsuspend(other.id, u.accessToken)]) {
        expect(res.status).toBe(403);
        expect(res.body.error).toMatchObject({ type: 'permission', code: 'forbidden', requestId: expect.any(String) });
      }
      await t.http.get('/v1/me').set(bearer(other.accessToken)).expect(200); // nothing happened
    });

    it('no token on an admin route → 401 authentication_required (authentication runs first)', async () => {
      const res = await t.http.post(`/v1/admin/users/${admin.id}/suspend`).expect(401);
      expect(res.body.error.code).toBe('authentication_required');
    });
  });

  describe('A5 suspension', () => {
    it('A5 a suspended user → 401 account_suspended at the next call; unsuspend restores access', async () => {
      const u = await registerUser(t);
      await t.http.get('/v1/me').set(bearer(u.accessToken)).expect(200);

      const res = await suspend(u.id).expect(200);
      expect(res.body).toMatchObject({ id: u.id, email: u.email, role: 'customer', suspendedAt: expect.any(String) });

      const blocked = await t.http.get('/v1/me').set(bearer(u.accessToken)).expect(401);
      expect(blocked.body.error).toMatchObject({ type: 'authentication', code: 'account_suspended' });
      // Suspension revoked the refresh tokens, and login is refused too.
      const refresh = await t.http.post('/v1/auth/refresh').send({ refreshToken: u.refreshToken }).expect(401);
      expect(refresh.body.error.code).toBe('invalid_refresh_token');
      const login = await t.http.post('/v1/auth/login').send({ email: u.email, password: PASSWORD }).expect(401);
      expect(login.body.error.code).toBe('account_suspended');

      const back = await unsuspend(u.id).expect(200);
      expect(back.body.suspendedAt).toBeNull();
      // The unexpired access token works again; the revoked refresh token stays revoked.
      await t.http.get('/v1/me').set(bearer(u.accessToken)).expect(200);
      await t.http.post('/v1/auth/refresh').send({ refreshToken: u.refreshToken }).expect(401);
      await t.http.post('/v1/auth/login').send({ email: u.email, password: PASSWORD }).expect(200);
    });

    it('a wrong password for a suspended account is still the plain 401 invalid_credentials', async () => {
      const u = await registerUser(t);
      await suspend(u.id).expect(200);
      const res = await t.http.post('/v1/auth/login').send({ email: u.email, password: 'not the password' }).expect(401);
      expect(res.body.error.code).toBe('invalid_credentials');
      await unsuspend(u.id).expect(200);
    });

    it('suspending twice keeps the first time; unsuspending an active user is a no-op', async () => {
      const u = await registerUser(t);
      const first = await suspend(u.id).expect(200);
      const second = await suspend(u.id).expect(200);
      expect(second.body.suspendedAt).toBe(first.body.suspendedAt);
      await unsuspend(u.id).expect(200);
      const again = await unsuspend(u.id).expect(200);
      expect(again.body.suspendedAt).toBeNull();
    });

    it('a suspended admin loses admin routes at once', async () => {
      const second = await makeAdmin(t, { via: 'admin:create' });
      const u = await registerUser(t);
      await suspend(second.id).expect(200);
      const res = await suspend(u.id, second.accessToken).expect(401);
      expect(res.body.error.code).toBe('account_suspended');
      await unsuspend(second.id).expect(200);
    });

    it('an admin cannot suspend themself (422); unknown or malformed ids → 404', async () => {
      const self = await suspend(admin.id).expect(422);
      expect(self.body.error.code).toBe('cannot_suspend_self');
      const missing = await suspend('00000000-0000-4000-8000-000000000000').expect(404);
      expect(missing.body.error.code).toBe('not_found');
      await suspend('not-a-uuid').expect(404);
      await suspend("1' OR '1'='1").expect(404);
    });
  });

  describe('admin:create (AdminAccountsService, as the CLI calls it)', () => {
    const service = () => new AdminAccountsService(t.ds, new PasswordHasher(), new RefreshTokensService(t.ds));

    it('creates an admin who can log in and use admin routes', async () => {
      const email = uniqueEmail('Boss').toUpperCase();
      const result = await service().createOrUpdateAdmin({ email, password: 'admin password 1' });
      expect(result).toMatchObject({ created: true, email: email.toLowerCase(), role: 'admin' });
      const login = await t.http.post('/v1/auth/login').send({ email, password: 'admin password 1' }).expect(200);
      expect(login.body.user).toMatchObject({ id: result.id, role: 'admin' });
      const u = await registerUser(t);
      await suspend(u.id, login.body.accessToken).expect(200);
    });

    it('for an existing email: promotes to admin, sets the password, lifts lockout and suspension, ends old sessions', async () => {
      const u = await registerUser(t);
      for (let i = 0; i < 5; i++) await t.http.post('/v1/auth/login').send({ email: u.email, password: 'wrong password!' }).expect(401);
      await suspend(u.id).expect(200);
      const result = await service().createOrUpdateAdmin({ email: u.email, password: 'brand new password' });
      expect(result).toMatchObject({ id: u.id, created: false });
      await t.http.post('/v1/auth/refresh').send({ refreshToken: u.refreshToken }).expect(401);
      await t.http.post('/v1/auth/login').send({ email: u.email, password: PASSWORD }).expect(401);
      const login = await t.http.post('/v1/auth/login').send({ email: u.email, password: 'brand new password' }).expect(200);
      expect(login.body.user.role).toBe('admin');
      const [{ count }] = await t.ds.query(`SELECT count(*)::int AS count FROM users WHERE email = $1`, [u.email]);
      expect(count).toBe(1);
    });

    it('refuses what sign-up refuses (bad email, short or long password)', () => {
      expect(() => checkAdminCredentials({ email: 'nope', password: 'long enough pw' })).toThrow(/email/);
      expect(() => checkAdminCredentials({ email: 'a@example.com', password: 'short' })).toThrow(/password/);
      expect(() => checkAdminCredentials({ email: 'a@example.com', password: 'x'.repeat(129) })).toThrow(/password/);
      expect(checkAdminCredentials({ email: ' A@Example.com ', password: 'long enough pw' }).email).toBe('a@example.com');
    });
  });

  describe('admin from ADMIN_EMAIL/ADMIN_PASSWORD on boot', () => {
    it('two processes booting at once on one database create one admin; a reboot changes nothing', async () => {
      const email = uniqueEmail('envadmin');
      const settings = { admin: { email, password: 'env admin password' } };
      const [a, b] = await Promise.all([
        createTestApp(settings, { databaseUrl: t.databaseUrl }),
        createTestApp(settings, { databaseUrl: t.databaseUrl }),
      ]);
      try {
        const rows = await t.ds.query(`SELECT id, role FROM users WHERE email = $1`, [email]);
        expect(rows).toEqual([{ id: expect.any(String), role: 'admin' }]);
        const login = await a.http.post('/v1/auth/login').send({ email, password: 'env admin password' }).expect(200);
        expect(login.body.user.role).toBe('admin');
        // Both instances accept tokens issued by either (same key, same database).
        await b.http.get('/v1/me').set(bearer(login.body.accessToken)).expect(200);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
      // Booting again with another password does not overwrite the existing admin.
      const c = await createTestApp({ admin: { email, password: 'another password' } }, { databaseUrl: t.databaseUrl });
      try {
        await c.http.post('/v1/auth/login').send({ email, password: 'env admin password' }).expect(200);
      } finally {
        await c.close();
      }
      // The first app still authenticates after the others closed (its own passport strategy).
      await t.http.get('/v1/me').set(bearer(admin.accessToken)).expect(200);
    });
  });
});

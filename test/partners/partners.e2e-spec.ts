import { AccessTokens } from '../../src/auth/access-tokens';
import { ApiKeysService } from '../../src/partners/api-keys.service';
import { makeAdmin, postRequest, registerUser, suspendUser, TestUser, validRequest } from '../support/factories';
import { actingAs, createPartner, createPartnerUser, TestPartner } from '../support/partners';
import { createTestApp, TestApp } from '../support/test-app';

/** Partners: keys (S6, A5), acting for their own users (A4), their own budget, the audit trail. */
describe('partners', () => {
  let t: TestApp;
  let admin: TestUser;
  let partner: TestPartner;
  let other: TestPartner;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
    partner = await createPartner(t, admin, { name: 'Acme Help Desk', revenueShareBps: 2000 });
    other = await createPartner(t, admin, { name: 'Other Portal' });
  });
  afterAll(() => t.close());

  const errorOf = (res: { body: { error?: { code?: string } } }) => res.body.error?.code;

  describe('keys (S6)', () => {
    it('S6 a new partner gets fxb_test_<id>_<secret> once; only a SHA-256 of the secret is stored; the list shows prefixes only', async () => {
      expect(partner.apiKey).toMatch(/^fxb_test_[0-9a-f-]{36}_[A-Za-z0-9_-]{43}$/);
      const secret = partner.apiKey.slice(-43);
      const rows = await t.ds.query(`SELECT encode(secret_sha256, 'hex') AS digest, prefix FROM partner_api_keys WHERE partner_id = $1`, [partner.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0].digest).toBe(require('node:crypto').createHash('sha256').update(secret).digest('hex'));
      expect(JSON.stringify(await t.ds.query(`SELECT * FROM partner_api_keys`))).not.toContain(secret);
      const list = await t.http.get('/v1/admin/partners').set('authorization', admin.auth).expect(200);
      const listed = list.body.data.find((p: { id: string }) => p.id === partner.id);
      expect(listed).toMatchObject({ name: 'Acme Help Desk', revenueShareBps: 2000 });
      expect(listed.keys[0].prefix).toBe(partner.apiKey.slice(0, -44));
      expect(JSON.stringify(list.body)).not.toContain(secret);
    });

    it.each([
      ['a wrong prefix (the live prefix in sandbox mode)', (k: string) => k.replace(/^fxb_test_/, 'fxb_live_')],
      ['truncated', (k: string) => k.slice(0, -1)],
      ['a wrong secret', (k: string) => `${k.slice(0, -4)}AAAA`],
      ['an unknown key id', (k: string) => k.replace(/_[0-9a-f-]{36}_/, '_00000000-0000-4000-8000-000000000000_')],
      ['empty', () => ''],
      ['garbage', () => 'hello'],
    ])('401 invalid_api_key for %s, in the envelope', async (_name, mangle) => {
      const res = await t.http.get('/v1/partner/users').set('x-api-key', mangle(partner.apiKey)).expect(401);
      expect(res.body.error).toMatchObject({ type: 'authentication', code: 'invalid_api_key' });
      expect(res.body.error.requestId).toBeTruthy();
    });

    it('timing: a key with the wrong prefix is looked up and its digest compared like any other (no early exit)', async () => {
      const keys = t.app.get(ApiKeysService);
      const lookups = jest.spyOn(keys as unknown as { findKey: () => Promise<unknown> }, 'findKey');
      expect(await keys.authenticate(partner.apiKey.replace(/^fxb_test_/, 'fxb_live_'))).toBeNull();
      expect(lookups).toHaveBeenCalledTimes(1);
      expect(await keys.authenticate(partner.apiKey)).toMatchObject({ partnerId: partner.id });
      lookups.mockRestore();
    });

    it('A5 more keys for rotation; a key revoked while in use is refused at the next request', async () => {
      const added = await t.http.post(`/v1/admin/partners/${partner.id}/keys`).set('authorization', admin.auth).expect(201);
      const second = added.body.apiKey as string;
      await t.http.get('/v1/partner/users').set('x-api-key', second).expect(200);
      await t.http.get('/v1/partner/users').set('x-api-key', partner.apiKey).expect(200);
      await t.http.delete(`/v1/admin/partners/${partner.id}/keys/${added.body.key.id}`).set('authorization', admin.auth).expect(204);
      expect(errorOf(await t.http.get('/v1/partner/users').set('x-api-key', second).expect(401))).toBe('invalid_api_key');
      await t.http.get('/v1/partner/users').set('x-api-key', partner.apiKey).expect(200);
      // Another partner's key id cannot be revoked through this partner.
      const [{ id: otherKey }] = await t.ds.query(`SELECT id FROM partner_api_keys WHERE partner_id = $1`, [other.id]);
      await t.http.delete(`/v1/admin/partners/${partner.id}/keys/${otherKey}`).set('authorization', admin.auth).expect(404);
    });

    it('last use is recorded, but not written on every request', async () => {
      const fresh = await createPartner(t, admin, { name: 'Fresh' });
      for (let i = 0; i < 5; i++) await t.http.get('/v1/partner/users').set('x-api-key', fresh.apiKey).expect(200);
      const [row] = await waitForLastUse(fresh.id);
      expect(row.last_used_at).not.toBeNull();
      const before = row.last_used_at as Date;
      for (let i = 0; i < 5; i++) await t.http.get('/v1/partner/users').set('x-api-key', fresh.apiKey).expect(200);
      await new Promise((r) => setTimeout(r, 100));
      const [after] = await t.ds.query(`SELECT last_used_at FROM partner_api_keys WHERE partner_id = $1`, [fresh.id]);
      expect((after.last_used_at as Date).getTime()).toBe(before.getTime());
    });

    async function waitForLastUse(partnerId: string): Promise<Array<{ last_used_at: Date | null }>> {
      for (let i = 0; i < 50; i++) {
        const rows = await t.ds.query(`SELECT last_used_at FROM partner_api_keys WHERE partner_id = $1`, [partnerId]);
        if (rows[0].last_used_at) return rows;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('last_used_at never written');
    }

    it('API5 partner admin routes need an admin; a partner key cannot manage partners', async () => {
      const customer = await registerUser(t, 'customer');
      expect(errorOf(await t.http.get('/v1/admin/partners').set('authorization', customer.auth).expect(403))).toBe('forbidden');
      expect(errorOf(await t.http.get('/v1/admin/partners').set('x-api-key', partner.apiKey).expect(403))).toBe('on_behalf_of_required');
      await t.http.post('/v1/admin/partners').set('authorization', admin.auth).send({ name: 'x', revenueShareBps: 10001 }).expect(400);
      await t.http.post('/v1/admin/partners').set('authorization', admin.auth).send({ name: 'x', revenueShareBps: 1.5 }).expect(400);
      await t.http.post('/v1/admin/partners').set('authorization', admin.auth).send({ name: 'x', apiKey: 'mine' }).expect(400);
    });
  });

  describe('partner users', () => {
    it('creating a user with the same externalId again returns it (200), unchanged; an email already registered → 409', async () => {
      const first = await t.http.post('/v1/partner/users').set('x-api-key', partner.apiKey).send({ email: 'ext-1@partner.example', displayName: 'Ext One', role: 'customer', externalId: 'crm-1' }).expect(201);
      const again = await t.http.post('/v1/partner/users').set('x-api-key', partner.apiKey).send({ email: 'other@partner.example', displayName: 'Renamed', role: 'expert', externalId: 'crm-1' }).expect(200);
      expect(again.body).toEqual(first.body);
      expect(first.body).toMatchObject({ email: 'ext-1@partner.example', role: 'customer', externalId: 'crm-1', suspended: false });
      const found = await t.http.get('/v1/partner/users?externalId=crm-1').set('x-api-key', partner.apiKey).expect(200);
      expect(found.body.data.map((u: { id: string }) => u.id)).toEqual([first.body.id]);
      // Another partner's id space is its own: crm-1 there is another user, and it cannot see ours.
      expect((await t.http.get('/v1/partner/users?externalId=crm-1').set('x-api-key', other.apiKey).expect(200)).body.data).toEqual([]);
      const registered = await registerUser(t, 'customer');
      expect(errorOf(await t.http.post('/v1/partner/users').set('x-api-key', partner.apiKey).send({ email: registered.email, displayName: 'Dup', role: 'customer' }).expect(409))).toBe('email_taken');
    });

    it('ten creations with one externalId at once → one user', async () => {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          t.http.post('/v1/partner/users').set('x-api-key', partner.apiKey).send({ email: `race-${i}@partner.example`, displayName: 'Racer', role: 'customer', externalId: 'crm-race' }),
        ),
      );
      expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
      expect(answers.every((a) => a.status === 201 || a.status === 200)).toBe(true);
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM users WHERE partner_id = $1 AND external_id = 'crm-race'`, [partner.id]);
      expect(n).toBe(1);
    });

    it('partner users have no password: they cannot log in themselves', async () => {
      const user = await createPartnerUser(t, partner, 'customer');
      const res = await t.http.post('/v1/auth/login').send({ email: user.email, password: 'correct horse battery staple' }).expect(401);
      expect(errorOf(res)).toBe('invalid_credentials');
    });
  });

  describe('acting for a user (X-On-Behalf-Of)', () => {
    it('every user route works for that user exactly as their own token would: same role, same answer', async () => {
      const customer = await createPartnerUser(t, partner, 'customer');
      const posted = await t.http.post('/v1/requests').set(actingAs(partner, customer)).send(validRequest()).expect(201);
      expect(posted.body.customerId).toBe(customer.id);
      const token = t.app.get(AccessTokens).sign({ id: customer.id, role: 'customer' });
      const byKey = await t.http.get(`/v1/requests/${posted.body.id}`).set(actingAs(partner, customer)).expect(200);
      const byToken = await t.http.get(`/v1/requests/${posted.body.id}`).set('authorization', `Bearer ${token}`).expect(200);
      expect(byKey.body).toEqual(byToken.body);
      expect((await t.http.get('/v1/me').set(actingAs(partner, customer)).expect(200)).body).toMatchObject({ id: customer.id, role: 'customer' });
      // Their role: a customer cannot bid, as with their own token.
      expect(errorOf(await t.http.post(`/v1/requests/${posted.body.id}/bids`).set(actingAs(partner, customer)).send({ amount: { amount: 1000, currency: 'usd' }, etaMinutes: 60, message: 'I can fix this today.' }).expect(403))).toBe('forbidden');
    });

    it('A4 another partner\'s user, an admin, an unknown or malformed id → 403 not_partner_user; a key alone on a user route → 403 on_behalf_of_required', async () => {
      const theirs = await createPartnerUser(t, other, 'customer');
      const regular = await registerUser(t, 'customer');
      for (const id of [theirs.id, admin.id, regular.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid', `${theirs.id} `]) {
        const res = await t.http.get('/v1/me').set({ 'x-api-key': partner.apiKey, 'x-on-behalf-of': id }).expect(403);
        expect(errorOf(res)).toBe('not_partner_user');
      }
      expect(errorOf(await t.http.get('/v1/me').set('x-api-key', partner.apiKey).expect(403))).toBe('on_behalf_of_required');
      expect(errorOf(await t.http.get('/v1/requests').set('x-api-key', partner.apiKey).expect(403))).toBe('on_behalf_of_required');
      // A user's token does not reach partner routes.
      expect(errorOf(await t.http.get('/v1/partner/users').set('authorization', regular.auth).expect(403))).toBe('forbidden');
    });

    it('A5 a suspended user is refused as 403 account_suspended at the next call; unsuspended, they work again', async () => {
      const customer = await createPartnerUser(t, partner, 'customer');
      await t.http.get('/v1/me').set(actingAs(partner, customer)).expect(200);
      await suspendUser(t, admin, customer.id);
      const res = await t.http.get('/v1/me').set(actingAs(partner, customer)).expect(403);
      expect(res.body.error).toMatchObject({ type: 'permission', code: 'account_suspended' });
      await t.http.post(`/v1/admin/users/${customer.id}/unsuspend`).set('authorization', admin.auth).expect(200);
      await t.http.get('/v1/me').set(actingAs(partner, customer)).expect(200);
    });

    it('the events of what a partner does record which partner acted (the audit trail); a user\'s own calls record none', async () => {
      const customer = await createPartnerUser(t, partner, 'customer');
      const posted = await t.http.post('/v1/requests').set(actingAs(partner, customer)).send(validRequest()).expect(201);
      const [event] = await t.ds.query(`SELECT actor_partner_id FROM events WHERE request_id = $1 AND type = 'request.created'`, [posted.body.id]);
      expect(event.actor_partner_id).toBe(partner.id);
      const own = await registerUser(t, 'customer');
      const mine = await postRequest(t, own);
      const [ownEvent] = await t.ds.query(`SELECT actor_partner_id FROM events WHERE request_id = $1`, [mine.id]);
      expect(ownEvent.actor_partner_id).toBeNull();
    });

    it('idempotency keys are scoped to (partner, user): the same key for two users runs twice', async () => {
      const [a, b] = [await createPartnerUser(t, partner, 'customer'), await createPartnerUser(t, partner, 'customer')];
      const first = await t.http.post('/v1/requests').set({ ...actingAs(partner, a), 'idempotency-key': 'same-key' }).send(validRequest()).expect(201);
      const second = await t.http.post('/v1/requests').set({ ...actingAs(partner, b), 'idempotency-key': 'same-key' }).send(validRequest()).expect(201);
      expect(second.body.id).not.toBe(first.body.id);
      const replay = await t.http.post('/v1/requests').set({ ...actingAs(partner, a), 'idempotency-key': 'same-key' }).send(validRequest()).expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(first.body.id);
    });
  });

  it('L1 each partner has its own rate-limit budget, shared by everything its key does', async () => {
    const limited = await createTestApp({ rateLimitPerMinute: 6 });
    try {
      const root = await makeAdmin(limited);
      const [p1, p2] = [await createPartner(limited, root, { name: 'P1' }), await createPartner(limited, root, { name: 'P2' })];
      const u1 = await createPartnerUser(limited, p1, 'customer');
      const u2 = await createPartnerUser(limited, p1, 'customer');
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await limited.http.get('/v1/me').set(actingAs(p1, i % 2 ? u1 : u2))).status);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
      const refused = await limited.http.get('/v1/partner/users').set('x-api-key', p1.apiKey).expect(429);
      expect(refused.headers['retry-after']).toBeDefined();
      expect(refused.body.error.code).toBe('rate_limited');
      // Another partner's budget is untouched.
      await limited.http.get('/v1/partner/users').set('x-api-key', p2.apiKey).expect(200);
    } finally {
      await limited.close();
    }
  });
});

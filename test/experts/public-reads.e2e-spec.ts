import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { onboard } from '../support/deals';
import { createProfile, makeAdmin, registerUser, suspendUser, TestUser } from '../support/factories';
import { createPartner, TestPartner } from '../support/partners';
import { createTestApp, TestApp } from '../support/test-app';

const PROFILE_FIELDS = ['available', 'bio', 'completedJobs', 'displayName', 'headline', 'id', 'languages', 'memberSince', 'rating', 'reputation', 'skills'];

/**
 * Public reads (contract v1.1 §2 "anyone", §3 Experts): GET /v1/experts and GET /v1/experts/:id
 * answer without credentials, as GET /v1/categories does; credentials that are sent are still
 * checked; a suspended expert is hidden while suspended; nothing private leaves (API3).
 */
describe('public reads of experts', () => {
  let t: TestApp;
  let admin: TestUser;
  let expert: TestUser;
  let customer: TestUser;
  let partner: TestPartner;

  beforeAll(async () => {
    t = await createTestApp();
    [admin, expert, customer] = await Promise.all([makeAdmin(t), registerUser(t, 'expert', { displayName: 'Public Pat' }), registerUser(t, 'customer')]);
    await createProfile(t, expert, ['networking', 'windows']);
    await onboard(t, expert); // a payout account with a Stripe id exists, and must not show
    partner = await createPartner(t, admin);
  });
  afterAll(() => t.close());

  it('no token → 200: the profile, the list, the list by skill (and categories)', async () => {
    const profile = await t.http.get(`/v1/experts/${expert.id}`).expect(200);
    expect(profile.body).toMatchObject({ id: expert.id, displayName: 'Public Pat', skills: ['networking', 'windows'] });
    const list = await t.http.get('/v1/experts').expect(200);
    expect(list.body.data.map((p: { id: string }) => p.id)).toContain(expert.id);
    const bySkill = await t.http.get('/v1/experts?skill=networking&sort=reputation').expect(200);
    expect(bySkill.body.data.map((p: { id: string }) => p.id)).toEqual([expert.id]);
    await t.http.get('/v1/categories').expect(200);
  });

  it('API3 a public profile carries exactly the contract\'s fields: no email, no payout account, no Stripe id', async () => {
    for (const auth of [undefined, customer.auth]) {
      const req = t.http.get(`/v1/experts/${expert.id}`);
      const res = await (auth ? req.set('authorization', auth) : req).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(PROFILE_FIELDS);
      expect(Object.keys(res.body.reputation).sort()).toEqual(['bySkill', 'factors', 'score', 'tier']);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain('@');
      expect(text).not.toMatch(/acct_|payout|stripe|email/i);
    }
    const list = await t.http.get('/v1/experts').expect(200);
    for (const p of list.body.data) expect(Object.keys(p).sort()).toEqual(PROFILE_FIELDS);
    expect(JSON.stringify(list.body)).not.toMatch(/@|acct_|payout|stripe/i);
  });

  it('A6 a token that is sent is checked: malformed, forged or expired → 401 invalid_token on every public read', async () => {
    const forged = `${expert.accessToken.slice(0, -4)}AAAA`;
    for (const path of [`/v1/experts/${expert.id}`, '/v1/experts', '/v1/experts?skill=windows', '/v1/categories']) {
      for (const token of ['not-a-jwt', forged]) {
        const res = await t.http.get(path).set('authorization', `Bearer ${token}`);
        expect([path, res.status, res.body.error?.code]).toEqual([path, 401, 'invalid_token']);
      }
    }
  });

  it("A5 a suspended user's token is refused on a public read, though the read needs none", async () => {
    const reader = await registerUser(t, 'customer');
    await t.http.get('/v1/experts').set('authorization', reader.auth).expect(200);
    await suspendUser(t, admin, reader.id);
    const res = await t.http.get('/v1/experts').set('authorization', reader.auth);
    expect([res.status, res.body.error?.code]).toEqual([401, 'account_suspended']);
    await t.http.get('/v1/experts').expect(200);
  });

  it("a partner's key alone reads them (contract §2), a bad key is 401", async () => {
    await t.http.get(`/v1/experts/${expert.id}`).set('x-api-key', partner.apiKey).expect(200);
    await t.http.get('/v1/experts').set('x-api-key', partner.apiKey).expect(200);
    const res = await t.http.get('/v1/experts').set('x-api-key', `${partner.apiKey}x`);
    expect([res.status, res.body.error?.code]).toEqual([401, 'invalid_api_key']);
  });

  it('API1 a suspended expert is not found (404) while suspended, by anyone, and listed nowhere; back on unsuspend', async () => {
    const hidden = await registerUser(t, 'expert', { displayName: 'Hidden Hal' });
    await createProfile(t, hidden, ['printers']);
    await t.http.get(`/v1/experts/${hidden.id}`).expect(200);
    await suspendUser(t, admin, hidden.id);
    for (const auth of [undefined, customer.auth]) {
      const req = t.http.get(`/v1/experts/${hidden.id}`);
      const res = await (auth ? req.set('authorization', auth) : req);
      expect([res.status, res.body.error?.code]).toEqual([404, 'not_found']);
    }
    for (const query of ['', '?skill=printers', '?skill=printers&sort=rating', '?q=computers']) {
      const res = await t.http.get(`/v1/experts${query}`).expect(200);
      expect(res.body.data.map((p: { id: string }) => p.id)).not.toContain(hidden.id);
    }
    await t.http.post(`/v1/admin/users/${hidden.id}/unsuspend`).set('authorization', admin.auth).expect(200);
    await t.http.get(`/v1/experts/${hidden.id}`).expect(200);
  });

  it('the expert\'s own routes still need a token', async () => {
    await t.http.get('/v1/experts/me/feed').expect(401);
    await t.http.get('/v1/experts/me/bids').expect(401);
    await t.http.put('/v1/experts/me/profile').send({}).expect(401);
  });

  it('a read never writes, and costs two statements (the profile or page, then its skill rows)', async () => {
    const sent: string[] = [];
    const original = PostgresQueryRunner.prototype.query;
    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query').mockImplementation(function (this: PostgresQueryRunner, ...args: Parameters<PostgresQueryRunner['query']>) {
      sent.push(args[0]);
      return original.apply(this, args);
    });
    try {
      const count = async (path: string) => {
        sent.length = 0;
        await t.http.get(path).expect(200);
        // Anything the app sends for other reasons meanwhile (jobs polling) touches other tables.
        return sent.filter((q) => /expert_profiles|expert_skill_reputation|categories/.test(q));
      };
      const single = await count(`/v1/experts/${expert.id}`);
      const list = await count('/v1/experts?limit=20');
      const bySkill = await count('/v1/experts?skill=windows&sort=reputation');
      for (const q of [...single, ...list, ...bySkill]) expect(q.trim()).toMatch(/^SELECT/i);
      expect([single.length, list.length, bySkill.length]).toEqual([2, 2, 3]); // by skill: the slug is checked first
    } finally {
      spy.mockRestore();
    }
  });
});

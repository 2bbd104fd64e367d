import { createProfile, registerUser, TestUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/** PUT /v1/experts/me/profile and GET /v1/experts/:id (contract §3 Experts). */
describe('expert profiles', () => {
  let t: TestApp;
  let expert: TestUser;
  let customer: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    [expert, customer] = await Promise.all([registerUser(t, 'expert', { displayName: 'Ada Expert' }), registerUser(t, 'customer')]);
  });
  afterAll(() => t.close());

  const valid = {
    headline: 'Windows and home networks, 10 years',
    bio: 'I fix boot loops, slow Wi-Fi and printers that will not print.',
    skills: ['windows', 'networking'],
    languages: ['en', 'de'],
    available: true,
  };
  const put = (user: TestUser, body: unknown) => t.http.put('/v1/experts/me/profile').set('authorization', user.auth).send(body as object);

  it('creates the profile and answers the public profile: no record yet (score 50 overall and in each skill) and tier "new"', async () => {
    const res = await put(expert, { ...valid, skills: ['windows', 'networking', 'windows'], languages: ['en', 'de', 'en'] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expert.id,
      displayName: 'Ada Expert',
      headline: valid.headline,
      bio: valid.bio,
      skills: ['windows', 'networking'],
      languages: ['en', 'de'],
      available: true,
      rating: { average: 0, count: 0 },
      reputation: {
        score: 50,
        tier: 'new',
        factors: { ratingAverage: 0, ratingCount: 0, onTimeRate: 0, completionRate: 0, disputeLossRate: 0, helpfulVotes: 0 },
        bySkill: [
          { skill: 'windows', score: 50, jobs: 0 },
          { skill: 'networking', score: 50, jobs: 0 },
        ],
      },
      completedJobs: 0,
      memberSince: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('PUT again replaces the profile (one row, new values)', async () => {
    const res = await put(expert, { ...valid, headline: '  Printers and Office  ', bio: undefined, skills: ['printers'], available: false });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ headline: 'Printers and Office', bio: '', skills: ['printers'], available: false });
    const rows = await t.ds.query(`SELECT headline, skills, available FROM expert_profiles WHERE user_id = $1`, [expert.id]);
    expect(rows).toEqual([{ headline: 'Printers and Office', skills: ['printers'], available: false }]);
    await put(expert, valid).expect(200);
  });

  it('C5 five saves of one profile at once → all 200, one row holding one of them, pairings not duplicated', async () => {
    const racer = await registerUser(t, 'expert');
    const [{ id: requestId }] = await t.ds.query(
      `INSERT INTO help_requests (customer_id, title, description, category, bidding_closes_at)
       VALUES ($1, 'Mail is gone', 'Outlook lost every folder overnight.', 'email', now() + interval '1 day') RETURNING id`,
      [customer.id],
    );
    const headlines = [1, 2, 3, 4, 5].map((i) => `Concurrent headline ${i}`);
    const results = await Promise.all(headlines.map((headline) => put(racer, { ...valid, headline, skills: ['email'] })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const rows = await t.ds.query(`SELECT headline FROM expert_profiles WHERE user_id = $1`, [racer.id]);
    expect(rows).toHaveLength(1);
    expect(headlines).toContain(rows[0].headline);
    const pairings = await t.ds.query(`SELECT 1 FROM request_matches WHERE expert_id = $1 AND request_id = $2`, [racer.id, requestId]);
    expect(pairings).toHaveLength(1);
  });

  it('API3 GET /v1/experts/:id shows the public profile to any signed-in user, never an email', async () => {
    const res = await t.http.get(`/v1/experts/${expert.id}`).set('authorization', customer.auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: expert.id, displayName: 'Ada Expert', skills: ['windows', 'networking'] });
    expect(JSON.stringify(res.body)).not.toContain('@');
    expect(res.body).not.toHaveProperty('email');
  });

  it('shows rating, reputation and completed jobs from the stored counters', async () => {
    await t.ds.query(
      `UPDATE expert_profiles SET rating_count = 3, rating_sum = 13, reputation_score = 74, completed_jobs = 6 WHERE user_id = $1`,
      [expert.id],
    );
    const res = await t.http.get(`/v1/experts/${expert.id}`).set('authorization', expert.auth).expect(200);
    expect(res.body).toMatchObject({ rating: { average: 4.33, count: 3 }, reputation: { score: 74, tier: 'trusted' }, completedJobs: 6 });
    await t.ds.query(`UPDATE expert_profiles SET rating_count = 0, rating_sum = 0, reputation_score = 0, completed_jobs = 0 WHERE user_id = $1`, [
      expert.id,
    ]);
  });

  it('a customer on PUT /v1/experts/me/profile → 403 forbidden, nothing stored', async () => {
    const res = await put(customer, valid);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ type: 'permission', code: 'forbidden' });
    const rows = await t.ds.query(`SELECT 1 FROM expert_profiles WHERE user_id = $1`, [customer.id]);
    expect(rows).toHaveLength(0);
  });

  // Since v1.1 the profile and the list are public reads (test/experts/public-reads.e2e-spec.ts).
  it("no token → 401 on the expert's own routes", async () => {
    await t.http.put('/v1/experts/me/profile').send(valid).expect(401);
    await t.http.get('/v1/experts/me/feed').expect(401);
    await t.http.get('/v1/experts/me/bids').expect(401);
  });

  it("API1 a customer's id, an expert without a profile, an unknown or malformed id → 404 not_found", async () => {
    const bare = await registerUser(t, 'expert');
    for (const id of [customer.id, bare.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid', 'me']) {
      const res = await t.http.get(`/v1/experts/${id}`).set('authorization', expert.auth);
      expect([id, res.status, res.body.error?.code]).toEqual([id, 404, 'not_found']);
    }
  });

  it('a suspended expert is hidden (404), and shown again once unsuspended', async () => {
    const other = await registerUser(t, 'expert');
    await createProfile(t, other, ['linux']);
    await t.ds.query(`UPDATE users SET suspended_at = now() WHERE id = $1`, [other.id]);
    await t.http.get(`/v1/experts/${other.id}`).set('authorization', customer.auth).expect(404);
    await t.ds.query(`UPDATE users SET suspended_at = NULL WHERE id = $1`, [other.id]);
    await t.http.get(`/v1/experts/${other.id}`).set('authorization', customer.auth).expect(200);
  });

  describe('V4 B1 bad input → 400 naming the field, nothing stored', () => {
    let fresh: TestUser;
    beforeAll(async () => {
      fresh = await registerUser(t, 'expert');
    });
    afterAll(async () => {
      const rows = await t.ds.query(`SELECT 1 FROM expert_profiles WHERE user_id = $1`, [fresh.id]);
      expect(rows).toHaveLength(0);
    });

    const cases: Array<[string, string, string, Record<string, unknown>]> = [
      ['headline of 4 characters', 'invalid_field', 'headline', { headline: 'abcd' }],
      ['headline of 121 characters', 'invalid_field', 'headline', { headline: 'x'.repeat(121) }],
      ['headline of spaces around 2 characters', 'invalid_field', 'headline', { headline: '     ab     ' }],
      ['headline a number', 'invalid_field', 'headline', { headline: 12345 }],
      ['headline missing', 'missing_field', 'headline', { headline: undefined }],
      ['bio of 5001 characters', 'invalid_field', 'bio', { bio: 'b'.repeat(5001) }],
      ['skills empty', 'invalid_field', 'skills', { skills: [] }],
      ['skills of 21 items', 'invalid_field', 'skills', { skills: Array.from({ length: 21 }, () => 'windows') }],
      ['skills with an unknown slug', 'invalid_field', 'skills', { skills: ['windows', 'underwater-basket-weaving'] }],
      ['skills not an array', 'invalid_field', 'skills', { skills: 'windows' }],
      ['skills with a number', 'invalid_field', 'skills', { skills: [7] }],
      ['skills with an upper-case slug', 'invalid_field', 'skills', { skills: ['Windows'] }],
      ['languages "english" (not an array)', 'invalid_field', 'languages', { languages: 'english' }],
      ['languages ["english"]', 'invalid_field', 'languages', { languages: ['english'] }],
      ['languages ["EN"]', 'invalid_field', 'languages', { languages: ['EN'] }],
      ['languages empty', 'invalid_field', 'languages', { languages: [] }],
      ['languages of 11 items', 'invalid_field', 'languages', { languages: Array.from({ length: 11 }, () => 'en') }],
      ['available "yes"', 'invalid_field', 'available', { available: 'yes' }],
      ['available missing', 'missing_field', 'available', { available: undefined }],
      ['an unknown field (reputationScore)', 'unknown_field', 'reputationScore', { reputationScore: 100 }],
      ['an unknown field (rating)', 'unknown_field', 'rating', { rating: { average: 5, count: 99 } }],
      ['an unknown field (userId)', 'unknown_field', 'userId', { userId: '00000000-0000-4000-8000-000000000000' }],
    ];
    it.each(cases)('%s → 400 %s (param %s)', async (_name, code, param, change) => {
      const res = await put(fresh, { ...valid, ...change });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request', code, param });
      expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
    });
  });
});

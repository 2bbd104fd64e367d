import { MAX_CANDIDATES, MIN_SKILLED_CANDIDATES } from '../../src/matching/matching.service';
import { createProfile, registerUser, TestUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { insertExperts, insertRequest, matchRequest, postMatchedRequest } from './match-fixtures';

interface MatchItem {
  expert: { id: string; displayName: string; skills: string[] };
  matchScore: number;
  matchReasons: string[];
}

/** GET /v1/requests/:id/matches and MatchingService.matchRequest (contract §3 Help requests). */
describe('request matches', () => {
  let t: TestApp;
  let owner: TestUser;
  let stranger: TestUser;
  let top: TestUser; // windows, en, reputation 90
  let foreign: TestUser; // windows, de only
  let generalist: TestUser; // linux, en
  let away: TestUser; // windows, en, unavailable
  let requestId: string;

  beforeAll(async () => {
    t = await createTestApp();
    [owner, stranger, top, foreign, generalist, away] = await Promise.all([
      registerUser(t, 'customer'),
      registerUser(t, 'customer'),
      registerUser(t, 'expert', { displayName: 'Top' }),
      registerUser(t, 'expert', { displayName: 'Foreign' }),
      registerUser(t, 'expert', { displayName: 'Generalist' }),
      registerUser(t, 'expert', { displayName: 'Away' }),
    ]);
    await createProfile(t, top, ['windows'], { languages: ['en'] });
    await createProfile(t, foreign, ['windows', 'office'], { languages: ['de'] });
    await createProfile(t, generalist, ['linux'], { languages: ['en', 'fr'] });
    await createProfile(t, away, ['windows'], { languages: ['en'], available: false });
    await t.ds.query(`UPDATE expert_profiles SET reputation_score = 90 WHERE user_id = $1`, [top.id]);
    // Matching weighs the score in the request's category (windows), where Top is as good.
    await t.ds.query(`UPDATE expert_skill_reputation SET score = 90 WHERE expert_id = $1 AND skill = 'windows'`, [top.id]);
    requestId = await postMatchedRequest(t, owner.id, { category: 'windows', language: 'en' });
  });
  afterAll(() => t.close());

  const matchesOf = (user: TestUser, id: string, query = '') => t.http.get(`/v1/requests/${id}/matches${query}`).set('authorization', user.auth);
  const names = (items: MatchItem[]) => items.map((m) => m.expert.displayName);

  it('the owner sees the experts best first: skill and language, then skill alone, then a generalist; never the unavailable', async () => {
    const res = await matchesOf(owner, requestId).expect(200);
    expect(names(res.body.data)).toEqual(['Top', 'Foreign', 'Generalist']);
    const [first, second, third] = res.body.data as MatchItem[];
    expect(first.matchScore).toBeGreaterThan(second.matchScore);
    expect(second.matchScore).toBeGreaterThan(third.matchScore);
    expect(first.matchReasons).toEqual(['Skilled in windows', 'Speaks en', 'Top-rated (reputation 90)', 'Available now', 'Active in the last 24 h', 'No open jobs']);
    expect(second.matchReasons).not.toContain('Speaks en');
    expect(third.matchReasons).toEqual(expect.arrayContaining(['Speaks en']));
    expect(first.expert).toMatchObject({ id: top.id, skills: ['windows'], reputation: { score: 90, tier: 'new' }, rating: { average: 0, count: 0 } });
    expect(JSON.stringify(res.body)).not.toContain('@');
    expect(res.body).toMatchObject({ hasMore: false, nextCursor: null });
  });

  it('P3 paging with limit=1 walks the same order', async () => {
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { data: MatchItem[]; nextCursor: string | null } } = await matchesOf(owner, requestId, `?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).expect(200);
      walked.push(...names(res.body.data));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(walked).toEqual(['Top', 'Foreign', 'Generalist']);
  });

  it('scores are a snapshot: a later reputation change does not move a stored score', async () => {
    const before = (await matchesOf(owner, requestId).expect(200)).body.data[1] as MatchItem;
    await t.ds.query(`UPDATE expert_profiles SET reputation_score = 100 WHERE user_id = $1`, [foreign.id]);
    const after = ((await matchesOf(owner, requestId).expect(200)).body.data as MatchItem[]).find((m) => m.expert.id === foreign.id)!;
    expect(after.matchScore).toBe(before.matchScore);
    expect(after.expert).toMatchObject({ reputation: { score: 100 } }); // the profile itself is live
  });

  it('a suspended expert is left out of the list', async () => {
    await t.ds.query(`UPDATE users SET suspended_at = now() WHERE id = $1`, [generalist.id]);
    expect(names((await matchesOf(owner, requestId).expect(200)).body.data)).toEqual(['Top', 'Foreign']);
    await t.ds.query(`UPDATE users SET suspended_at = NULL WHERE id = $1`, [generalist.id]);
  });

  it('API1 another customer, an expert (even a matched one), an unknown or malformed id → 404 not_found', async () => {
    for (const [user, id] of [
      [stranger, requestId],
      [top, requestId],
      [owner, '00000000-0000-4000-8000-000000000000'],
      [owner, 'not-a-uuid'],
    ] as Array<[TestUser, string]>) {
      const res = await matchesOf(user, id);
      expect([id, res.status, res.body.error?.code]).toEqual([id, 404, 'not_found']);
    }
    await t.http.get(`/v1/requests/${requestId}/matches`).expect(401);
  });

  it('B4 bad paging → 400', async () => {
    const res = await matchesOf(owner, requestId, '?limit=101');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_field', param: 'limit' });
    const bad = await matchesOf(owner, requestId, '?cursor=nope');
    expect(bad.body.error).toMatchObject({ code: 'invalid_cursor' });
  });

  it(`generalists fill in only while fewer than ${MIN_SKILLED_CANDIDATES} skilled experts are available`, async () => {
    const thin = await postMatchedRequest(t, owner.id, { category: 'smart-home', language: 'fr' });
    expect(names((await matchesOf(owner, thin).expect(200)).body.data)).toEqual(['Generalist']); // the one fr speaker
    const skilled = await insertExperts(t, MIN_SKILLED_CANDIDATES, { skills: ['gaming'], languages: ['en'] });
    await t.ds.query(`UPDATE expert_profiles SET reputation_score = 100 WHERE user_id = $1`, [generalist.id]);
    const busy = await postMatchedRequest(t, owner.id, { category: 'gaming', language: 'en' });
    const rows: Array<{ expert_id: string }> = await t.ds.query(`SELECT expert_id FROM request_matches WHERE request_id = $1`, [busy]);
    expect(rows.map((r) => r.expert_id).sort()).toEqual([...skilled].sort());
  });

  it(`at most ${MAX_CANDIDATES} experts are scored per request, those speaking its language first`, async () => {
    const speakers = await insertExperts(t, MAX_CANDIDATES - 5, { skills: ['cloud'], languages: ['en'], reputation: 10 });
    const others = await insertExperts(t, 20, { skills: ['cloud'], languages: ['de'], reputation: 99 });
    const id = await insertRequest(t, owner.id, { category: 'cloud', language: 'en' });
    expect(await matchRequest(t, id)).toBe(MAX_CANDIDATES);
    const rows: Array<{ expert_id: string }> = await t.ds.query(`SELECT expert_id FROM request_matches WHERE request_id = $1`, [id]);
    const matched = new Set(rows.map((r) => r.expert_id));
    expect(speakers.every((e) => matched.has(e))).toBe(true);
    expect(others.filter((e) => matched.has(e))).toHaveLength(5);
  });
});

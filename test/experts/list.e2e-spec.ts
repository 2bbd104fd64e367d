import { createProfile, registerUser, TestUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/** GET /v1/experts?skill=&q=&sort= (contract §3 Experts; lists per §1). */
describe('GET /v1/experts', () => {
  let t: TestApp;
  let caller: TestUser;
  const ids: Record<string, string> = {};

  /** A record as good in each listed skill as overall (with `skill`, sort=reputation ranks by the skill's score). */
  const setCounters = async (id: string, c: { reputation: number; ratingCount: number; ratingSum: number }) => {
    await t.ds.query(`UPDATE expert_profiles SET reputation_score = $2, rating_count = $3, rating_sum = $4 WHERE user_id = $1`, [
      id,
      c.reputation,
      c.ratingCount,
      c.ratingSum,
    ]);
    await t.ds.query(`UPDATE expert_skill_reputation SET score = $2 WHERE expert_id = $1`, [id, c.reputation]);
  };

  beforeAll(async () => {
    t = await createTestApp();
    const [a, b, c, d, e, customer] = await Promise.all([
      registerUser(t, 'expert', { displayName: 'A' }),
      registerUser(t, 'expert', { displayName: 'B' }),
      registerUser(t, 'expert', { displayName: 'C' }),
      registerUser(t, 'expert', { displayName: 'D' }),
      registerUser(t, 'expert', { displayName: 'E' }),
      registerUser(t, 'customer'),
    ]);
    caller = customer;
    await createProfile(t, a, ['windows', 'printers'], { headline: 'Printer whisperer', bio: 'I fix printers and scanners.' });
    await createProfile(t, b, ['windows', 'networking'], { headline: 'Network engineer', bio: 'Routers, Wi-Fi and VPNs.' });
    await createProfile(t, c, ['linux'], { headline: 'Linux administrator', bio: 'Servers, and printers too.' });
    await createProfile(t, d, ['linux'], { headline: 'Shell scripting help', bio: 'Bash, cron and systemd.' });
    await createProfile(t, e, ['windows'], { headline: 'Suspended person', bio: 'Should never be listed.' });
    Object.assign(ids, { A: a.id, B: b.id, C: c.id, D: d.id, E: e.id });
    await setCounters(a.id, { reputation: 90, ratingCount: 2, ratingSum: 10 });
    await setCounters(b.id, { reputation: 70, ratingCount: 5, ratingSum: 20 });
    await setCounters(c.id, { reputation: 50, ratingCount: 0, ratingSum: 0 });
    await setCounters(d.id, { reputation: 70, ratingCount: 1, ratingSum: 3 });
    await setCounters(e.id, { reputation: 100, ratingCount: 9, ratingSum: 45 });
    await t.ds.query(`UPDATE users SET suspended_at = now() WHERE id = $1`, [e.id]);
  });
  afterAll(() => t.close());

  const list = (query: string) => t.http.get(`/v1/experts${query}`).set('authorization', caller.auth);
  const names = (body: { data: Array<{ displayName: string }> }) => body.data.map((p) => p.displayName);
  /** B and D tie on reputation 70: the tie-breaker is the user id, descending. */
  const tiedByIdDesc = () => (ids.B > ids.D ? ['B', 'D'] : ['D', 'B']);

  it('default sort is reputation, highest first; suspended experts and non-experts are not listed', async () => {
    const res = await list('').expect(200);
    expect(names(res.body)).toEqual(['A', ...tiedByIdDesc(), 'C']);
    expect(res.body).toMatchObject({ hasMore: false, nextCursor: null });
    expect(res.body.data[0]).toMatchObject({ id: ids.A, rating: { average: 5, count: 2 }, reputation: { score: 90 } });
    expect(JSON.stringify(res.body)).not.toContain('@');
  });

  it('sort=rating orders by the star average, experts without ratings last', async () => {
    const res = await list('?sort=rating').expect(200);
    expect(names(res.body)).toEqual(['A', 'B', 'D', 'C']);
  });

  it('skill filters by a category slug', async () => {
    expect(names((await list('?skill=windows').expect(200)).body)).toEqual(['A', 'B']);
    expect(names((await list('?skill=linux&sort=rating').expect(200)).body)).toEqual(['D', 'C']);
    expect(names((await list('?skill=gaming').expect(200)).body)).toEqual([]);
  });

  it('q is full-text over headline and bio (stemmed, web-search syntax), combinable with skill', async () => {
    expect(names((await list('?q=printer').expect(200)).body)).toEqual(['A', 'C']);
    expect(names((await list('?q=%22network%20engineer%22').expect(200)).body)).toEqual(['B']);
    expect(names((await list('?q=printers%20-scanners').expect(200)).body)).toEqual(['C']);
    expect(names((await list('?q=printers&skill=linux').expect(200)).body)).toEqual(['C']);
  });

  it('P3 paging with limit=1 walks the same order with no duplicate or gap, for both sorts', async () => {
    for (const sort of ['reputation', 'rating']) {
      const all = names((await list(`?sort=${sort}`).expect(200)).body);
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { data: Array<{ displayName: string }>; nextCursor: string | null; hasMore: boolean } } = await list(`?sort=${sort}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).expect(200);
        walked.push(...names(res.body));
        cursor = res.body.nextCursor;
        expect(res.body.hasMore).toBe(cursor !== null);
      } while (cursor);
      expect(walked).toEqual(all);
    }
  });

  it('P3 a profile created between pages is never shown twice and nothing is skipped', async () => {
    const first = await list('?limit=2').expect(200);
    const late = await registerUser(t, 'expert', { displayName: 'Late' });
    await createProfile(t, late, ['gaming']);
    await setCounters(late.id, { reputation: 99, ratingCount: 0, ratingSum: 0 }); // sorts before the cursor: not on later pages
    const rest = await list(`?limit=100&cursor=${encodeURIComponent(first.body.nextCursor)}`).expect(200);
    const seen = [...names(first.body), ...names(rest.body)];
    expect(seen).toEqual(['A', ...tiedByIdDesc(), 'C']);
    await t.ds.query(`DELETE FROM expert_profiles WHERE user_id = $1`, [late.id]);
  });

  const bad: Array<[string, string, string]> = [
    ['?sort=newest', 'invalid_field', 'sort'],
    ['?limit=0', 'invalid_field', 'limit'],
    ['?limit=101', 'invalid_field', 'limit'],
    ['?limit=x', 'invalid_field', 'limit'],
    ['?skill=underwater-basket-weaving', 'invalid_field', 'skill'],
    ['?skill=Not%20A%20Slug', 'invalid_field', 'skill'],
    [`?q=${'x'.repeat(201)}`, 'invalid_field', 'q'],
    ['?cursor=abc.def', 'invalid_cursor', 'cursor'],
    ['?role=admin', 'unknown_field', 'role'],
  ];
  it.each(bad)('B4 V4 GET /v1/experts%s → 400 %s (param %s)', async (query, code, param) => {
    const res = await list(query);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
  });

  it('V3 a cursor of the rating list is refused by the reputation list, and a tampered one is refused', async () => {
    const page = await list('?sort=rating&limit=1').expect(200);
    const cursor: string = page.body.nextCursor;
    const other = await list(`?sort=reputation&cursor=${encodeURIComponent(cursor)}`);
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe('invalid_cursor');
    const [payload, sig] = cursor.split('.');
    const edited = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), s: '0' })).toString('base64url');
    const tampered = await list(`?sort=rating&cursor=${encodeURIComponent(`${edited}.${sig}`)}`);
    expect(tampered.status).toBe(400);
    expect(tampered.body.error.code).toBe('invalid_cursor');
  });
});

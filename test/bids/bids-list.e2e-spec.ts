import { recommendedBidScore } from '../../src/matching/domain/match-score';
import { createTestApp, TestApp } from '../support/test-app';
import { makeAdmin, placeBid, postRequest, registerUser, TestUser } from '../support/factories';
import { errorOf, profileWithRecord } from './bids-support';

// jest's testTimeout is a global option (ignored inside `projects`), so e2e files set their own.
jest.setTimeout(60_000);

type Listed = {
  id: string;
  expertId: string;
  status: string;
  amount: { amount: number; currency: string };
  etaMinutes: number;
  expert: { id: string; displayName: string; rating: { average: number; count: number }; reputation: { score: number; tier: string; skill: { skill: string; score: number; jobs: number } } };
  recommendedScore: number;
};

/** GET /v1/requests/:id/bids (owner: all, with experts; expert: own; others 404) and GET /v1/experts/me/bids. */
describe('bids: lists', () => {
  let t: TestApp;
  let customer: TestUser;
  let unrated: TestUser;
  let star: TestUser;
  let weak: TestUser;
  let quitter: TestUser;
  let request: { id: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    [customer, unrated, star, weak, quitter] = await Promise.all([
      registerUser(t, 'customer'),
      registerUser(t, 'expert', { displayName: 'Unrated Una' }),
      registerUser(t, 'expert', { displayName: 'Star Sam' }),
      registerUser(t, 'expert', { displayName: 'Weak Wes' }),
      registerUser(t, 'expert', { displayName: 'Quitter Quinn' }),
    ]);
    await profileWithRecord(t, star, { ratingCount: 10, ratingSum: 48, reputationScore: 85, completedJobs: 25 });
    await profileWithRecord(t, weak, { ratingCount: 3, ratingSum: 6, reputationScore: 30, completedJobs: 4 });
    request = await postRequest(t, customer, { maxBudget: { amount: 5000, currency: 'usd' }, urgency: 'normal' });
    const bid = (who: TestUser, amount: number, etaMinutes: number) =>
      placeBid(t, who, request.id, { amount: { amount, currency: 'usd' }, etaMinutes });
    ids.unrated = (await bid(unrated, 4000, 120)).id;
    ids.star = (await bid(star, 4500, 60)).id;
    ids.weak = (await bid(weak, 2000, 600)).id;
    ids.quitter = (await bid(quitter, 3000, 30)).id;
    await t.http.post(`/v1/bids/${ids.quitter}/withdraw`).set('authorization', quitter.auth).expect(200);
  });
  afterAll(() => t.close());

  const list = (who: TestUser, query = '', requestId = request.id) =>
    t.http.get(`/v1/requests/${requestId}/bids${query}`).set('authorization', who.auth);

  /** Follows nextCursor to the end, one page of `limit` at a time. */
  async function walk(who: TestUser, query: string, limit: number): Promise<Listed[]> {
    const seen: Listed[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const res = await list(who, `?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...(res.body.data as Listed[]));
      cursor = res.body.nextCursor;
      expect(res.body.hasMore).toBe(cursor !== null);
      if (!cursor) return seen;
    }
    throw new Error('pagination did not end');
  }

  it("the owner sees every bid with its expert's displayName, rating and reputation (zeros and `new` without a profile)", async () => {
    const res = await list(customer);
    expect(res.status).toBe(200);
    const byId = Object.fromEntries((res.body.data as Listed[]).map((b) => [b.id, b]));
    expect(Object.keys(byId).sort()).toEqual(Object.values(ids).sort());
    expect(byId[ids.star].expert).toEqual({
      id: star.id,
      displayName: 'Star Sam',
      rating: { average: 4.8, count: 10 },
      reputation: { score: 85, tier: 'top', skill: { skill: 'windows', score: 85, jobs: 25 } },
    });
    expect(byId[ids.weak].expert).toMatchObject({ rating: { average: 2, count: 3 }, reputation: { score: 30, tier: 'rising' } });
    expect(byId[ids.unrated].expert).toEqual({
      id: unrated.id,
      displayName: 'Unrated Una',
      rating: { average: 0, count: 0 },
      reputation: { score: 0, tier: 'new', skill: { skill: 'windows', score: 0, jobs: 0 } },
    });
    expect(byId[ids.quitter].status).toBe('withdrawn');
    expect(JSON.stringify(res.body)).not.toMatch(/@example\.com/);
  });

  it('sort=recommended (default) is recommendedBidScore, best first', async () => {
    const res = await list(customer);
    const data = res.body.data as Listed[];
    for (const b of data) {
      const expected = recommendedBidScore(
        { amount: { amount: b.amount.amount, currency: 'usd' }, etaMinutes: b.etaMinutes },
        { maxBudget: { amount: 5000, currency: 'usd' }, urgency: 'normal' },
        { reputation: b.expert.reputation.skill.score, rating: { count: b.expert.rating.count, average: b.expert.rating.count ? b.expert.rating.average : null } },
      );
      expect(b.recommendedScore).toBeCloseTo(expected, 4);
    }
    const scores = data.map((b) => b.recommendedScore);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
    expect(data[0].id).toBe(ids.star);
    expect((await list(customer, '?sort=recommended')).body.data.map((b: Listed) => b.id)).toEqual(data.map((b) => b.id));
  });

  it('sort=amount and sort=eta: lowest first; sort=reputation: highest first', async () => {
    const amounts = (await list(customer, '?sort=amount')).body.data.map((b: Listed) => b.amount.amount);
    expect(amounts).toEqual([2000, 3000, 4000, 4500]);
    const etas = (await list(customer, '?sort=eta')).body.data.map((b: Listed) => b.etaMinutes);
    expect(etas).toEqual([30, 60, 120, 600]);
    const reps = (await list(customer, '?sort=reputation')).body.data.map((b: Listed) => b.expert.reputation.skill.score);
    expect(reps).toEqual([85, 30, 0, 0]);
  });

  it("sort=reputation and sort=recommended weigh the bidder's score in the request's category, not the overall one", async () => {
    // Weak Wes: 30 overall, but 95 in windows (the request's category).
    await t.ds.query(`UPDATE expert_skill_reputation SET score = 95 WHERE expert_id = $1 AND skill = 'windows'`, [weak.id]);
    try {
      const byReputation = (await list(customer, '?sort=reputation')).body.data as Listed[];
      expect(byReputation.map((b) => [b.id, b.expert.reputation.score, b.expert.reputation.skill.score])).toEqual([
        [ids.weak, 30, 95],
        [ids.star, 85, 85],
        ...byReputation.slice(2).map((b) => [b.id, 0, 0]),
      ]);
      const recommended = (await list(customer)).body.data as Listed[];
      const weakBid = recommended.find((b) => b.id === ids.weak)!;
      expect(weakBid.recommendedScore).toBeCloseTo(
        recommendedBidScore(
          { amount: { amount: 2000, currency: 'usd' }, etaMinutes: 600 },
          { maxBudget: { amount: 5000, currency: 'usd' }, urgency: 'normal' },
          { reputation: 95, rating: { count: 3, average: 2 } },
        ),
        4,
      );
    } finally {
      await t.ds.query(`UPDATE expert_skill_reputation SET score = 30 WHERE expert_id = $1 AND skill = 'windows'`, [weak.id]);
    }
  });

  it('status=active leaves out the withdrawn bid', async () => {
    const res = await list(customer, '?status=active&sort=amount');
    expect(res.body.data.map((b: Listed) => b.id)).not.toContain(ids.quitter);
    expect(res.body.data).toHaveLength(3);
  });

  it.each(['recommended', 'amount', 'eta', 'reputation'])('sort=%s pages with cursors: limit 1 walks the same order as one page', async (sort) => {
    const whole = (await list(customer, `?sort=${sort}`)).body.data.map((b: Listed) => b.id);
    const paged = (await walk(customer, `sort=${sort}`, 1)).map((b) => b.id);
    expect(paged).toEqual(whole);
    expect(new Set(paged).size).toBe(4);
  });

  it('P3 bids placed while paging are never shown twice and never drop the rest', async () => {
    const own = await postRequest(t, customer);
    const bidders = await Promise.all(Array.from({ length: 6 }, () => registerUser(t, 'expert')));
    for (const [i, b] of bidders.slice(0, 4).entries()) await placeBid(t, b, own.id, { amount: { amount: 1000 + i * 100, currency: 'usd' } });
    for (const sort of ['amount', 'recommended']) {
      const first = await list(customer, `?sort=${sort}&limit=2`, own.id);
      const before = (await list(customer, `?sort=${sort}`, own.id)).body.data.map((b: Listed) => b.id);
      if (sort === 'amount') {
        // One bid sorts before the cursor (cheapest), one after it (dearest).
        await placeBid(t, bidders[4], own.id, { amount: { amount: 600, currency: 'usd' } });
        await placeBid(t, bidders[5], own.id, { amount: { amount: 4900, currency: 'usd' } });
      }
      const second = await list(customer, `?sort=${sort}&limit=100&cursor=${encodeURIComponent(first.body.nextCursor)}`, own.id);
      const shown = [...first.body.data, ...second.body.data].map((b: Listed) => b.id);
      expect(new Set(shown).size).toBe(shown.length);
      for (const id of before) expect(shown).toContain(id);
    }
  });

  it('B4 V3 a tampered cursor, a cursor of another sort or request, limit 0/101/"x", an unknown sort → 400', async () => {
    const first = await list(customer, '?sort=amount&limit=1');
    const cursor: string = first.body.nextCursor;
    // Point the cursor at another position but keep its signature.
    const [payload, signature] = cursor.split('.');
    const position = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const tampered = `${Buffer.from(JSON.stringify({ ...position, s: '0' })).toString('base64url')}.${signature}`;
    expect(errorOf(await list(customer, `?sort=amount&cursor=${encodeURIComponent(tampered)}`))).toMatchObject({ status: 400, code: 'invalid_cursor' });
    expect(errorOf(await list(customer, `?sort=eta&cursor=${encodeURIComponent(cursor)}`))).toMatchObject({ status: 400, code: 'invalid_cursor' });
    const other = await postRequest(t, customer);
    expect(errorOf(await list(customer, `?sort=amount&cursor=${encodeURIComponent(cursor)}`, other.id))).toMatchObject({ status: 400, code: 'invalid_cursor' });
    for (const limit of ['0', '101', 'x']) expect(errorOf(await list(customer, `?limit=${limit}`))).toMatchObject({ status: 400, param: 'limit' });
    expect(errorOf(await list(customer, '?sort=cheapest'))).toMatchObject({ status: 400, param: 'sort' });
    expect(errorOf(await list(customer, '?status=open'))).toMatchObject({ status: 400, param: 'status' });
  });

  it('API1 an expert sees only their own bid; one who did not bid sees none while the request is open', async () => {
    const own = await list(weak);
    expect(own.status).toBe(200);
    expect(own.body.data.map((b: Listed) => b.id)).toEqual([ids.weak]);
    const outsider = await registerUser(t, 'expert');
    const none = await list(outsider);
    expect(none.status).toBe(200);
    expect(none.body.data).toEqual([]);
  });

  it('API1 once the request is not open: an expert who never bid → 404; a bidder still sees their own', async () => {
    const own = await postRequest(t, customer);
    const bid = await placeBid(t, weak, own.id);
    await t.http.post(`/v1/requests/${own.id}/cancel`).set('authorization', customer.auth).expect(200);
    const outsider = await registerUser(t, 'expert');
    expect(errorOf(await list(outsider, '', own.id))).toMatchObject({ status: 404, code: 'not_found' });
    const mine = await list(weak, '', own.id);
    expect(mine.body.data.map((b: Listed) => b.id)).toEqual([bid.id]);
  });

  it('API1 another customer → 404; an admin sees all; unknown or malformed request → 404; no token → 401', async () => {
    const stranger = await registerUser(t, 'customer');
    expect(errorOf(await list(stranger))).toMatchObject({ status: 404, code: 'not_found' });
    const admin = await makeAdmin(t);
    expect((await list(admin)).body.data).toHaveLength(4);
    expect(errorOf(await list(customer, '', '00000000-0000-4000-8000-000000000000'))).toMatchObject({ status: 404 });
    expect(errorOf(await list(customer, '', 'nope'))).toMatchObject({ status: 404 });
    expect((await t.http.get(`/v1/requests/${request.id}/bids`)).status).toBe(401);
  });

  describe('GET /v1/experts/me/bids', () => {
    const mine = (who: TestUser, query = '') => t.http.get(`/v1/experts/me/bids${query}`).set('authorization', who.auth);

    it("the caller's bids only, newest first, withdrawn included, paged by cursor", async () => {
      const busy = await registerUser(t, 'expert');
      const placed: string[] = [];
      for (let i = 0; i < 5; i++) placed.push((await placeBid(t, busy, (await postRequest(t, customer)).id)).id);
      const all = await mine(busy);
      expect(all.status).toBe(200);
      expect(all.body.data.map((b: { id: string }) => b.id)).toEqual([...placed].reverse());
      expect(all.body.data[0]).not.toHaveProperty('expert');

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await mine(busy, `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        seen.push(...page.body.data.map((b: { id: string }) => b.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...placed].reverse());

      const quitterBids = (await mine(quitter)).body.data;
      expect(quitterBids).toEqual([expect.objectContaining({ id: ids.quitter, status: 'withdrawn' })]);
    });

    it('customers and admins → 403; no token → 401; bad limit → 400', async () => {
      expect(errorOf(await mine(customer))).toMatchObject({ status: 403, code: 'forbidden' });
      expect(errorOf(await mine(await makeAdmin(t)))).toMatchObject({ status: 403 });
      expect((await t.http.get('/v1/experts/me/bids')).status).toBe(401);
      expect(errorOf(await mine(star, '?limit=101'))).toMatchObject({ status: 400, param: 'limit' });
    });
  });
});

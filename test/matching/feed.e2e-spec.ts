import { MAX_CANDIDATES } from '../../src/matching/matching.service';
import { createProfile, postRequest, registerUser, TestUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { insertBid, insertRequest, postMatchedRequest } from './match-fixtures';

interface FeedItem {
  request: { id: string; category: string; status: string; customerId: string };
  matchScore: number;
  matchReasons: string[];
}

/** GET /v1/experts/me/feed and how profile updates re-match (contract §3 Experts). */
describe('expert feed', () => {
  let t: TestApp;
  let customer: TestUser;
  let expert: TestUser; // windows, en
  let other: TestUser; // linux, en

  beforeAll(async () => {
    t = await createTestApp();
    [customer, expert, other] = await Promise.all([registerUser(t, 'customer'), registerUser(t, 'expert'), registerUser(t, 'expert')]);
    await createProfile(t, expert, ['windows'], { languages: ['en'] });
    await createProfile(t, other, ['linux'], { languages: ['en'] });
  });
  afterAll(() => t.close());

  const feedOf = async (user: TestUser, query = ''): Promise<{ data: FeedItem[]; hasMore: boolean; nextCursor: string | null }> => {
    const res = await t.http.get(`/v1/experts/me/feed${query}`).set('authorization', user.auth);
    expect(res.status).toBe(200);
    return res.body;
  };
  const idsIn = (items: FeedItem[]) => items.map((i) => i.request.id);

  let skilledReq: string;
  let unskilledReq: string;

  it('a request in the expert\'s skill ranks above one they only qualify for by language', async () => {
    unskilledReq = await postMatchedRequest(t, customer.id, { category: 'gaming' });
    skilledReq = await postMatchedRequest(t, customer.id, { category: 'windows' });
    const feed = await feedOf(expert);
    expect(idsIn(feed.data)).toEqual([skilledReq, unskilledReq]);
    const [best, second] = feed.data;
    expect(best.matchScore).toBeGreaterThan(second.matchScore);
    expect(best.matchScore).toBeLessThanOrEqual(1);
    expect(second.matchScore).toBeGreaterThan(0);
    expect(best.matchReasons).toEqual(expect.arrayContaining(['Skilled in windows', 'Speaks en', 'Available now']));
    expect(second.matchReasons.some((r) => r.startsWith('Skilled in'))).toBe(false);
    expect(best.request).toMatchObject({ id: skilledReq, category: 'windows', status: 'open', customerId: customer.id });
    expect(best.request).toHaveProperty('nextAutomaticTransition.name', 'expire');
  });

  it('each expert sees their own scores: the linux expert has both only as a generalist', async () => {
    const feed = await feedOf(other);
    expect(idsIn(feed.data).sort()).toEqual([skilledReq, unskilledReq].sort());
    for (const item of feed.data) expect(item.matchReasons.some((r) => r.startsWith('Skilled in'))).toBe(false);
  });

  it('a request the expert bid on (any bid status) leaves their feed, not other experts\' feeds', async () => {
    await insertBid(t, skilledReq, expert.id, 'withdrawn');
    expect(idsIn((await feedOf(expert)).data)).toEqual([unskilledReq]);
    expect(idsIn((await feedOf(other)).data)).toContain(skilledReq);
    await insertBid(t, unskilledReq, expert.id, 'active');
    expect((await feedOf(expert)).data).toEqual([]);
  });

  it('requests no longer open, or open with bidding closed, leave the feed', async () => {
    const cancelled = await postMatchedRequest(t, customer.id, { category: 'windows' });
    const closing = await postMatchedRequest(t, customer.id, { category: 'windows' });
    const awaiting = await postMatchedRequest(t, customer.id, { category: 'windows' });
    expect(idsIn((await feedOf(expert)).data).sort()).toEqual([cancelled, closing, awaiting].sort());
    await t.ds.query(`UPDATE help_requests SET status = 'cancelled' WHERE id = $1`, [cancelled]);
    await t.ds.query(`UPDATE help_requests SET status = 'awaiting_payment' WHERE id = $1`, [awaiting]);
    await t.ds.query(`UPDATE help_requests SET bidding_closes_at = now() - interval '1 second' WHERE id = $1`, [closing]);
    expect((await feedOf(expert)).data).toEqual([]);
    // Pairings of a request that can never take bids again are pruned; awaiting_payment may reopen.
    const pairings = async (id: string) => Number((await t.ds.query(`SELECT count(*)::int AS n FROM request_matches WHERE request_id = $1`, [id]))[0].n);
    expect(await pairings(cancelled)).toBe(0);
    expect(await pairings(awaiting)).toBeGreaterThan(0);
  });

  it('P3 paging with limit=1 walks the feed best first with no duplicate or gap', async () => {
    for (const category of ['windows', 'windows', 'gaming', 'mobile']) await postMatchedRequest(t, customer.id, { category });
    const all = await feedOf(expert, '?limit=100');
    expect(all.data).toHaveLength(4);
    const scores = all.data.map((i) => i.matchScore);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await feedOf(expert, `?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      walked.push(...idsIn(page.data));
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked).toEqual(idsIn(all.data));
  });

  it('a profile update re-scores the expert\'s pairings: a new skill lifts that request to the top', async () => {
    const before = (await feedOf(expert)).data.find((i) => i.request.category === 'mobile')!;
    await createProfile(t, expert, ['windows', 'mobile'], { languages: ['en'] });
    const after = (await feedOf(expert)).data;
    const rescored = after.find((i) => i.request.id === before.request.id)!;
    expect(rescored.matchScore).toBeGreaterThan(before.matchScore);
    expect(rescored.matchScore).toBe(after[0].matchScore); // now level with the windows requests at the top
    expect(rescored.matchReasons).toContain('Skilled in mobile');
    // The generalist pairing with the gaming request survives: the expert still speaks its language.
    expect(after.map((i) => i.request.category)).toContain('gaming');
  });

  it('an unavailable expert keeps no pairings; becoming available re-matches requests in their skills', async () => {
    await createProfile(t, expert, ['windows', 'mobile'], { languages: ['en'], available: false });
    expect((await feedOf(expert)).data).toEqual([]);
    await createProfile(t, expert, ['windows', 'mobile'], { languages: ['en'], available: true });
    const categories = (await feedOf(expert, '?limit=100')).data.map((i) => i.request.category);
    expect(categories.sort()).toEqual(['mobile', 'windows', 'windows']);
  });

  it(`a profile update scores at most the ${MAX_CANDIDATES} newest open requests in the expert's skills`, async () => {
    const fresh = await registerUser(t, 'expert');
    await t.ds.query(
      `INSERT INTO help_requests (customer_id, title, description, category, bidding_closes_at, created_at)
       SELECT $1, 'Bulk ' || i, 'A long enough description of the problem.', 'printers', now() + interval '2 days', now() - make_interval(secs => i)
       FROM generate_series(1, $2) i`,
      [customer.id, MAX_CANDIDATES + 10],
    );
    const oldest = await insertRequest(t, customer.id, { category: 'printers' });
    await t.ds.query(`UPDATE help_requests SET created_at = now() - interval '1 day' WHERE id = $1`, [oldest]);
    await createProfile(t, fresh, ['printers']);
    const [{ count }] = await t.ds.query(`SELECT count(*)::int AS count FROM request_matches WHERE expert_id = $1`, [fresh.id]);
    expect(count).toBe(MAX_CANDIDATES);
    const has = await t.ds.query(`SELECT 1 FROM request_matches WHERE expert_id = $1 AND request_id = $2`, [fresh.id, oldest]);
    expect(has).toHaveLength(0);
  });

  it('posting a request through POST /v1/requests pairs it with the skilled expert in the same transaction', async () => {
    const poster = await registerUser(t, 'customer'); // the SQL-made requests above count against `customer`'s hourly quota
    const posted = await postRequest(t, poster, { category: 'windows' });
    const rows = await t.ds.query(`SELECT score, reasons FROM request_matches WHERE request_id = $1 AND expert_id = $2`, [posted.id, expert.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].reasons).toContain('Skilled in windows');
    expect(idsIn((await feedOf(expert, '?limit=100')).data)).toContain(posted.id);
  });

  it('a customer on the feed → 403 forbidden', async () => {
    const res = await t.http.get('/v1/experts/me/feed').set('authorization', customer.auth);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });

  it.each([
    ['?limit=0', 'invalid_field', 'limit'],
    ['?limit=101', 'invalid_field', 'limit'],
    ['?cursor=e30.AAAA', 'invalid_cursor', 'cursor'],
    ['?expertId=x', 'unknown_field', 'expertId'],
  ])('B4 GET /v1/experts/me/feed%s → 400 %s', async (query, code, param) => {
    const res = await t.http.get(`/v1/experts/me/feed${query}`).set('authorization', expert.auth);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
  });
});

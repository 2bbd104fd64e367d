import type { Pool } from 'pg';
import { poolOf } from '../../src/database/prepared';
import { RequestResponse } from '../../src/requests/dto/request.response';
import { HelpRequest } from '../../src/requests/help-request.entity';
import { SEARCH_CANDIDATES, SEARCH_STRONGEST } from '../../src/requests/request-reads.sql';
import { acceptBid, createProfile, makeAdmin, placeBid, postRequest, registerUser, TestUser } from '../support/factories';
import { StatementRecorder } from '../support/statements';
import { createTestApp, TestApp } from '../support/test-app';

jest.setTimeout(60_000);

type Page = { data: Array<{ id: string }>; hasMore: boolean; nextCursor: string | null };

/**
 * Issue 11 items 2 and 4: the request reads run one named statement on the pool, answer exactly
 * what the ORM path answered, and search ranks a bounded candidate set (the newest matches and
 * each word's strongest).
 */
describe('request reads without the ORM', () => {
  let t: TestApp;
  let customer: TestUser;
  let expert: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    [customer, expert, admin] = await Promise.all([registerUser(t, 'customer'), registerUser(t, 'expert'), makeAdmin(t)]);
    await createProfile(t, expert);
  });
  afterAll(() => t.close());

  const get = async (user: TestUser, path: string) => {
    const res = await t.http.get(path).set('authorization', user.auth);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`);
    return res;
  };
  const ormJson = async (id: string) =>
    JSON.stringify(RequestResponse.from((await t.ds.getRepository(HelpRequest).findOneByOrFail({ id })), t.config));

  /** Inserts `n` open requests of `customer` whose text is `text(i)`, created `minutesAgo(i)` ago; returns ids by i. */
  const insertMatches = async (n: number, text: string, minutesAgo: string): Promise<string[]> => {
    const rows: Array<{ id: string }> = await t.ds.query(
      `INSERT INTO help_requests (customer_id, title, description, category, bidding_closes_at, created_at, updated_at)
       SELECT $1, ${text}, 'Details: ' || ${text}, 'windows', now() + interval '1 day', now() - (${minutesAgo}) * interval '1 minute', now()
       FROM generate_series(1, $2::int) i ORDER BY i RETURNING id`,
      [customer.id, n],
    );
    return rows.map((r) => r.id);
  };
  const pages = async (user: TestUser, query: string, limit: number, between?: (page: number) => Promise<void>): Promise<string[]> => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let n = 0;
    do {
      const page: Page = (await get(user, `/v1/requests?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body;
      seen.push(...page.data.map((r) => r.id));
      cursor = page.nextCursor;
      if (between) await between(++n);
    } while (cursor);
    return seen;
  };

  it('detail and list answer byte for byte what the ORM mapping answers, in every state shown', async () => {
    const open = await postRequest(t, customer, { title: 'Byte for byte open request' });
    const noBudget = await postRequest(t, customer, { title: 'Byte for byte without budget', maxBudget: undefined });
    const accepted = await postRequest(t, customer, { title: 'Byte for byte accepted request' });
    await acceptBid(t, customer, (await placeBid(t, expert, accepted.id)).id);
    const cancelled = await postRequest(t, customer, { title: 'Byte for byte cancelled request' });
    await t.http.post(`/v1/requests/${cancelled.id}/cancel`).set('authorization', customer.auth).expect(200);
    for (const { id } of [open, noBudget, accepted, cancelled]) {
      expect((await get(customer, `/v1/requests/${id}`)).text).toBe(await ormJson(id));
    }
    const list = (await get(admin, '/v1/requests?limit=100')).body as Page;
    const expected = await Promise.all(list.data.map((r) => ormJson(r.id)));
    expect(list.data.map((r) => JSON.stringify(r))).toEqual(expected);
    const found = (await get(customer, `/v1/requests?q=${encodeURIComponent('byte for byte')}`)).body as Page;
    expect(found.data.map((r) => JSON.stringify(r)).sort()).toEqual((await Promise.all([open, noBudget, accepted, cancelled].map((r) => ormJson(r.id)))).sort());
  });

  describe('one round trip', () => {
    let pool: Pool;
    let named: string[] = [];
    let recorder: StatementRecorder;
    let original: Pool['query'];

    beforeAll(() => {
      pool = poolOf(t.ds);
      original = pool.query;
      // Counts what goes through pool.query (the named statements); the ORM's go through pool.connect().
      pool.query = ((...args: Parameters<Pool['query']>) => {
        const config = args[0] as { name?: string } | string;
        named.push(typeof config === 'string' ? '(unnamed)' : (config.name ?? '(unnamed)'));
        return (original as (...a: unknown[]) => unknown).apply(pool, args);
      }) as Pool['query'];
      recorder = StatementRecorder.attach(t.ds);
    });
    afterAll(() => {
      pool.query = original;
      recorder.detach(t.ds);
    });

    it.each([
      ['detail', (id: string) => `/v1/requests/${id}`, /^requests_detail_/],
      ['list', () => '/v1/requests?limit=5', /^requests_list_/],
      ['search', () => '/v1/requests?q=single+trip', /^requests_search_/],
    ])('%s: one named statement, no ORM statement (once the caller is cached)', async (_label, path, name) => {
      const r = await postRequest(t, customer, { title: 'Single trip request' });
      await get(expert, path(r.id)); // caches the principal
      named = [];
      // The subscribers see that one statement too (queryPrepared shows it), and nothing else.
      expect(await recorder.fewestDuring(() => get(expert, path(r.id)))).toHaveLength(1);
      expect(named).toHaveLength(3);
      expect(new Set(named)).toEqual(new Set([expect.stringMatching(name)]));
    });
  });

  describe('search ranks a bounded candidate set: the newest matches and each word\'s strongest', () => {
    it(`an older match its word is strongest in ranks first; an equally strong older one outside the newest ${SEARCH_CANDIDATES} and the word's ${SEARCH_STRONGEST} strongest is left out`, async () => {
      // i = 1 is the newest. All say "zorblax" once in the title and once in the description,
      // except i = 7 (three times each) and the oldest (four times each), outside the newest N.
      const n = SEARCH_CANDIDATES + 50;
      const ids = await insertMatches(
        n,
        `CASE WHEN i = ${n} THEN 'Zorblax zorblax zorblax zorblax' WHEN i = 7 THEN 'Zorblax zorblax zorblax' ELSE 'Zorblax issue ' || i END`,
        'i',
      );
      const candidates = [...ids.slice(0, SEARCH_CANDIDATES), ids[n - 1]];
      // The full ranking (every match) and the bounded one agree on the top two.
      const full: Array<{ id: string }> = await t.ds.query(
        `SELECT id FROM help_requests WHERE search @@ websearch_to_tsquery('english', 'zorblax') ORDER BY ts_rank(search, websearch_to_tsquery('english', 'zorblax')) DESC, id DESC LIMIT 2`,
      );
      expect(full.map((r) => r.id)).toEqual([ids[n - 1], ids[6]]);
      const expected: Array<{ id: string }> = await t.ds.query(
        `SELECT id FROM help_requests WHERE id = ANY($1::uuid[]) ORDER BY ts_rank(search, websearch_to_tsquery('english', 'zorblax')) DESC, id DESC`,
        [candidates],
      );
      const seen = await pages(expert, 'q=zorblax', 30);
      expect(seen.slice(0, 2)).toEqual([ids[n - 1], ids[6]]);
      expect(seen).toEqual(expected.map((r) => r.id));
      // As strong as the shown ones but older than the newest N: neither set has them.
      expect(seen).not.toContain(ids[n - 2]);
    });

    it('paging keeps the first page’s candidates although newer, stronger matches arrive meanwhile: each shown once, none lost', async () => {
      // The word's list is all old strong ones (older than the newest set); page 1 shows 40 of
      // them. Between pages 90 stronger ones arrive, which would push the 60 not yet shown out of
      // the list's top SEARCH_STRONGEST were it not cut at the first page's time.
      const oldStrong = await insertMatches(SEARCH_STRONGEST, `'Wibblequark wibblequark trouble ' || i`, `60 * 24 * 10 + i`);
      const ids = await insertMatches(SEARCH_CANDIDATES + 20, `'Wibblequark trouble ' || i`, 'i');
      const original = [...ids.slice(0, SEARCH_CANDIDATES), ...oldStrong];
      const added: string[] = [];
      const seen = await pages(expert, 'q=wibblequark', 40, async (page) => {
        if (page <= 2) added.push(...(await insertMatches(45, `'Wibblequark wibblequark wibblequark new ' || i`, '0')));
      });
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of original) expect(seen).toContain(id);
      expect(seen.filter((id) => !original.includes(id)).every((id) => added.includes(id))).toBe(true);
    });

    it('a later page still ranks the word lists after every newest candidate left open meanwhile', async () => {
      // 30 old strong ones reach the candidates through the word's list only (the newest set is
      // the weaker, newer ones); page 1 shows 10 of them; then every newer one is cancelled.
      const strong = await insertMatches(30, `'Quorblin quorblin trouble ' || i`, `60 * 24 * 10 + i`);
      const weak = await insertMatches(SEARCH_CANDIDATES, `'Something about quorblin ' || i`, 'i');
      const seen = await pages(expert, 'q=quorblin', 10, async (page) => {
        if (page === 1) await t.ds.query(`UPDATE help_requests SET status = 'cancelled' WHERE id = ANY($1::uuid[])`, [weak]);
      });
      expect(seen.sort()).toEqual([...strong].sort());
    });

    it('scope (API1) and filters apply before the candidates are chosen', async () => {
      // Fresh customers: the inserted matches above count against `customer`'s hourly quota.
      const [mine, other] = await Promise.all([registerUser(t, 'customer'), registerUser(t, 'customer')]);
      const post = (user: TestUser, body: Record<string, unknown>) => postRequest(t, user, { title: 'Plonkfilter problem', ...body });
      const a = await post(mine, { category: 'windows', maxBudget: { amount: 5000, currency: 'usd' } });
      const b = await post(mine, { category: 'networking', maxBudget: { amount: 20_000, currency: 'eur' } });
      const c = await post(other, { category: 'windows', maxBudget: { amount: 100_000, currency: 'usd' } });
      const d = await post(mine, { category: 'windows' });
      await t.http.post(`/v1/requests/${d.id}/cancel`).set('authorization', mine.auth).expect(200);
      const found = async (user: TestUser, filters = '') => (await pages(user, `q=plonkfilter${filters}`, 100)).sort();
      const ids = (...rs: Array<{ id: string }>) => rs.map((r) => r.id).sort();
      expect(await found(expert)).toEqual(ids(a, b, c));
      expect(await found(expert, '&category=windows')).toEqual(ids(a, c));
      expect(await found(expert, '&minBudget=10000')).toEqual(ids(b, c));
      expect(await found(expert, '&minBudget=10000&currency=usd')).toEqual(ids(c));
      expect(await found(mine)).toEqual(ids(a, b, d));
      expect(await found(other)).toEqual(ids(c));
      expect(await found(admin, '&status=cancelled')).toEqual(ids(d));
      expect(await found(admin)).toEqual(ids(a, b, c, d));
    });

    it('matches older than the hours probed one by one are still found', async () => {
      const old = await insertMatches(3, `'Glimmerfax failure ' || i`, `i * 60 * 24 * 10`);
      const recent = await insertMatches(1, `'Glimmerfax failure recent'`, '5');
      const seen = await pages(expert, 'q=glimmerfax', 2);
      expect(seen.sort()).toEqual([...old, ...recent].sort());
    });
  });
});

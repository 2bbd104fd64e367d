import { makeAdmin, postRequest, registerUser, TestUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

// Registration hashes passwords (argon2id): set-ups that make several users need more than jest's 5 s.
jest.setTimeout(30_000);

type Row = { id: string; status: string };

/** GET /v1/requests: who sees what (API1), filters, full-text ranking, cursor pagination (API4, B4, V3, P3). */
describe('listing help requests', () => {
  let t: TestApp;
  let a: TestUser;
  let b: TestUser;
  let expert: TestUser;
  let admin: TestUser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    [a, b, expert, admin] = await Promise.all([registerUser(t, 'customer'), registerUser(t, 'customer'), registerUser(t, 'expert'), makeAdmin(t)]);
    ids.a1 = (await postRequest(t, a, { category: 'windows', maxBudget: { amount: 5000, currency: 'usd' } })).id;
    ids.a2 = (await postRequest(t, a, { category: 'networking', maxBudget: { amount: 20_000, currency: 'eur' } })).id;
    ids.a3 = (await postRequest(t, a, { category: 'office', maxBudget: undefined })).id;
    ids.b1 = (await postRequest(t, b, { category: 'windows', maxBudget: { amount: 100_000, currency: 'usd' } })).id;
    await t.http.post(`/v1/requests/${ids.a3}/cancel`).set('authorization', a.auth).expect(200);
  });
  afterAll(() => t.close());

  const list = async (user: TestUser, query = ''): Promise<{ data: Row[]; hasMore: boolean; nextCursor: string | null }> => {
    const res = await t.http.get(`/v1/requests${query}`).set('authorization', user.auth);
    if (res.status !== 200) throw new Error(`list ${query}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const idsOf = (page: { data: Row[] }) => page.data.map((r) => r.id);
  /** Follows nextCursor to the end. */
  const all = async (user: TestUser, query: string, limit: number): Promise<string[]> => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(user, `?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...idsOf(page));
      cursor = page.nextCursor;
      expect(page.hasMore).toBe(cursor !== null);
    } while (cursor);
    return seen;
  };

  describe('API1 scope by role', () => {
    it('a customer sees only their own, newest first', async () => {
      expect(idsOf(await list(a))).toEqual([ids.a3, ids.a2, ids.a1]);
      expect(idsOf(await list(b))).toEqual([ids.b1]);
    });

    it('an expert sees open requests of every customer, never a cancelled one', async () => {
      const page = await list(expert);
      expect(idsOf(page)).toEqual([ids.b1, ids.a2, ids.a1]);
      expect(page.data.every((r) => r.status === 'open')).toBe(true);
      expect(idsOf(await list(expert, '?status=cancelled'))).toEqual([]);
    });

    it('an admin sees all; no token → 401', async () => {
      expect(idsOf(await list(admin))).toEqual([ids.b1, ids.a3, ids.a2, ids.a1]);
      expect((await t.http.get('/v1/requests')).status).toBe(401);
    });
  });

  describe('filters', () => {
    it('status and category', async () => {
      expect(idsOf(await list(a, '?status=cancelled'))).toEqual([ids.a3]);
      expect(idsOf(await list(a, '?status=open'))).toEqual([ids.a2, ids.a1]);
      expect(idsOf(await list(expert, '?category=windows'))).toEqual([ids.b1, ids.a1]);
      expect(idsOf(await list(admin, '?category=office&status=cancelled'))).toEqual([ids.a3]);
    });

    it('minBudget (and currency) leave out smaller and budget-less requests', async () => {
      expect(idsOf(await list(expert, '?minBudget=10000'))).toEqual([ids.b1, ids.a2]);
      expect(idsOf(await list(expert, '?minBudget=10000&currency=usd'))).toEqual([ids.b1]);
      expect(idsOf(await list(admin, '?minBudget=0'))).toEqual([ids.b1, ids.a2, ids.a1]);
    });

    const bad: Array<[string, string, string, string?]> = [
      ['?category=plumbing', 'invalid_field', 'category'],
      ['?status=bogus', 'invalid_field', 'status'],
      ['?minBudget=x', 'invalid_field', 'minBudget'],
      ['?minBudget=-1', 'invalid_field', 'minBudget'],
      ['?minBudget=12.5', 'invalid_field', 'minBudget'],
      ['?minBudget=1000001', 'invalid_field', 'minBudget'],
      ['?currency=USD', 'invalid_field', 'currency'],
      ['?q=<201 characters>', 'invalid_field', 'q', `?q=${'x'.repeat(201)}`],
      ['?limit=0', 'invalid_field', 'limit'],
      ['?limit=101', 'invalid_field', 'limit'],
      ['?limit=x', 'invalid_field', 'limit'],
      ['?limit=1.5', 'invalid_field', 'limit'],
      ['?cursor=abc', 'invalid_cursor', 'cursor'],
      ['?customerId=00000000-0000-0000-0000-000000000000', 'unknown_field', 'customerId'],
    ];
    it.each(bad)('B4 %s → 400 %s (param %s)', async (label, code, param, query = label) => {
      const res = await t.http.get(`/v1/requests${query}`).set('authorization', expert.auth);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request', code, param });
    });
  });

  describe('cursor pagination', () => {
    it('pages through everything once, with hasMore and nextCursor', async () => {
      const first = await list(admin, '?limit=3');
      expect(first).toMatchObject({ hasMore: true });
      expect(first.data).toHaveLength(3);
      expect(await all(admin, 'status=open', 1)).toEqual([ids.b1, ids.a2, ids.a1]);
      expect(await all(admin, 'minBudget=0', 2)).toEqual([ids.b1, ids.a2, ids.a1]);
      const last = await list(admin, `?limit=100`);
      expect(last).toMatchObject({ hasMore: false, nextCursor: null });
    });

    it('V3 a tampered cursor → 400 invalid_cursor', async () => {
      const { nextCursor } = await list(admin, '?limit=1');
      const [payload, sig] = nextCursor!.split('.');
      const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
      decoded.i = ids.a1;
      const forged = `${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${sig}`;
      for (const cursor of [forged, `${payload}.${sig.slice(0, -2)}AA`, `${nextCursor}x`]) {
        const res = await t.http.get(`/v1/requests?cursor=${encodeURIComponent(cursor)}`).set('authorization', admin.auth);
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'invalid_cursor', param: 'cursor' });
      }
    });

    it('a cursor of the ranked list (q) is refused by the plain list, and by another q', async () => {
      await postRequest(t, b, { title: 'Router keeps dropping', description: 'The router drops every hour, router lights blink.' });
      await postRequest(t, b, { title: 'Another router issue', description: 'A second router request for the cursor test.' });
      const ranked = await list(b, '?q=router&limit=1');
      expect(ranked.nextCursor).not.toBeNull();
      for (const query of [`?cursor=`, `?q=modem&cursor=`]) {
        const res = await t.http.get(`/v1/requests${query}${encodeURIComponent(ranked.nextCursor!)}`).set('authorization', b.auth);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalid_cursor');
      }
    });
  });

  describe('full-text search (q)', () => {
    let s: TestUser;
    const fts: Record<string, string> = {};
    beforeAll(async () => {
      s = await registerUser(t, 'customer');
      fts.described = (await postRequest(t, s, {
        title: 'Email client problem',
        description: 'My mail program, which is Outlook, loses messages after sync.',
      })).id;
      fts.titled = (await postRequest(t, s, {
        title: 'Outlook keeps crashing',
        description: 'The mail program closes right after it starts, every single time.',
      })).id;
      fts.unrelated = (await postRequest(t, s, { title: 'Printer is offline', description: 'The office printer no longer prints anything.' })).id;
    });

    it('a title match ranks above a description-only match; non-matches are left out', async () => {
      expect(idsOf(await list(s, '?q=outlook'))).toEqual([fts.titled, fts.described]);
      // The plain list is newest first, so the ranking is not just creation order.
      expect(idsOf(await list(s)).slice(0, 3)).toEqual([fts.unrelated, fts.titled, fts.described]);
    });

    it('web search syntax: stems, phrases and exclusions; nothing matching → empty page', async () => {
      expect(idsOf(await list(s, '?q=crashes'))).toEqual([fts.titled]);
      expect(idsOf(await list(s, `?q=${encodeURIComponent('outlook -crashing')}`))).toEqual([fts.described]);
      expect(idsOf(await list(s, `?q=${encodeURIComponent('"office printer"')}`))).toEqual([fts.unrelated]);
      expect(await list(s, '?q=kubernetes')).toEqual({ data: [], hasMore: false, nextCursor: null });
      expect(await list(s, '?q=the')).toEqual({ data: [], hasMore: false, nextCursor: null });
    });

    it('experts search open requests; the ranked list pages by (rank, id) without loss', async () => {
      const r = await registerUser(t, 'customer');
      const made: string[] = [];
      for (let i = 0; i < 7; i++) {
        const words = Array.from({ length: 1 + (i % 3) }, () => 'keyboard').join(' ');
        made.push((await postRequest(t, r, { title: `Broken ${words} ${i}`, description: `Some ${words} keys stick when typing fast.` })).id);
      }
      const whole = idsOf(await list(expert, '?q=keyboard&limit=100'));
      expect(whole.sort()).toEqual([...made].sort());
      const paged = await all(expert, 'q=keyboard', 2);
      expect(paged).toEqual(idsOf(await list(expert, '?q=keyboard&limit=100')));
    });
  });

  describe('P3 inserts while paging never duplicate or drop an item', () => {
    it('newest-first list', async () => {
      const p = await registerUser(t, 'customer');
      const before: string[] = [];
      for (let i = 0; i < 10; i++) before.push((await postRequest(t, p, { title: `Existing request ${i}` })).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let round = 0;
      do {
        const query: string = `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const [page] = await Promise.all([
          list(p, query),
          postRequest(t, p, { title: `Inserted while paging ${round}a` }),
          postRequest(t, p, { title: `Inserted while paging ${round}b` }),
        ]);
        seen.push(...idsOf(page));
        cursor = page.nextCursor;
        round++;
      } while (cursor && round < 5);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of before) expect(seen).toContain(id);
    });

    it('ranked list (q)', async () => {
      const p = await registerUser(t, 'customer');
      const before: string[] = [];
      for (let i = 0; i < 9; i++) {
        const words = Array.from({ length: 1 + (i % 3) }, () => 'monitor').join(' ');
        before.push((await postRequest(t, p, { title: `Flickering ${words} ${i}`, description: `The ${words} flickers at night.` })).id);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let round = 0;
      do {
        const query: string = `?q=monitor&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const [page] = await Promise.all([
          list(p, query),
          postRequest(t, p, { title: `Monitor flicker ${round}`, description: 'The monitor monitor monitor flickers all day.' }),
        ]);
        seen.push(...idsOf(page));
        cursor = page.nextCursor;
        round++;
      } while (cursor && round < 9);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of before) expect(seen).toContain(id);
    });
  });
});

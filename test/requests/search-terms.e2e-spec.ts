import { RequestLifecycle } from '../../src/requests/request-lifecycle.service';
import { acceptedDeal, lapsePaymentWindow } from '../support/deals';
import { postRequest, registerUser, TestUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

jest.setTimeout(60_000);

/**
 * Issue 11 §4: search's word lists (request_search_terms, migrations/*-RequestSearchTerms.ts) hold,
 * for every open request and nothing else, the words it is strong in with each word's own
 * ts_rank. After every write that can change them — a post, an edit, an accept, a lapsed payment
 * that reopens the request, a cancel, an expiry — the table is exactly what the requests say.
 */
describe('search word lists stay true', () => {
  let t: TestApp;
  let customer: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    customer = await registerUser(t, 'customer');
  });
  afterAll(() => t.close());

  /** Rows the table has and the requests do not say, and the other way round: none, ever. */
  async function drift(): Promise<unknown[]> {
    return t.ds.query(
      `WITH expected AS (
         SELECT r.id AS request_id, t.lexeme, t.strength, r.created_at
           FROM help_requests r CROSS JOIN LATERAL help_requests_strong_terms(r.search) t WHERE r.status = 'open')
       (SELECT 'missing' AS what, * FROM (SELECT * FROM expected EXCEPT SELECT request_id, lexeme, strength, created_at FROM request_search_terms) m)
       UNION ALL
       (SELECT 'extra', * FROM (SELECT request_id, lexeme, strength, created_at FROM request_search_terms EXCEPT SELECT * FROM expected) x)`,
    );
  }
  const wordsOf = async (requestId: string): Promise<string[]> =>
    (await t.ds.query(`SELECT lexeme FROM request_search_terms WHERE request_id = $1 ORDER BY lexeme`, [requestId])).map(
      (r: { lexeme: string }) => r.lexeme,
    );
  async function expectTrue(step: string): Promise<void> {
    expect({ step, drift: await drift() }).toEqual({ step, drift: [] });
  }

  it('keeps the title words and the repeated ones, each with the ts_rank that word alone ranks with', async () => {
    const r = await postRequest(t, customer, {
      title: 'Printer offline',
      description: 'The printer in the hallway shows offline. The hallway printer again. Toner is fine.',
    });
    // Title words (printer, offlin) and words said twice (hallway); "toner", "fine" once in the description: left out.
    expect(await wordsOf(r.id)).toEqual(['hallway', 'offlin', 'printer']);
    const rows: Array<{ lexeme: string; strength: number; rank: number }> = await t.ds.query(
      `SELECT t.lexeme, t.strength, ts_rank(r.search, websearch_to_tsquery('english', w.word)) AS rank
         FROM request_search_terms t JOIN help_requests r ON r.id = t.request_id
         JOIN (VALUES ('printer', 'printer'), ('offlin', 'offline'), ('hallway', 'hallway')) w(lexeme, word) ON w.lexeme = t.lexeme
        WHERE t.request_id = $1`,
      [r.id],
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.strength).toBe(row.rank);
    // Stronger where said more: printer (title + twice) over offline (title + once) over hallway (twice, no title).
    const strength = Object.fromEntries(rows.map((row) => [row.lexeme, row.strength]));
    expect(strength.printer).toBeGreaterThan(strength.offlin);
    expect(strength.offlin).toBeGreaterThan(strength.hallway);
  });

  it('quotes any lexeme for the one-word query it ranks with (quotes, backslashes)', async () => {
    const rows: Array<{ lexeme: string; strength: number }> = await t.ds.query(
      `SELECT lexeme, strength FROM help_requests_strong_terms($1::tsvector) ORDER BY lexeme`,
      [`'it''s':1A 'back\\\\slash':2A,3B 'once':4B`],
    );
    expect(rows.map((r) => r.lexeme)).toEqual(['back\\slash', "it's"]);
    expect(rows.every((r) => r.strength > 0.6)).toBe(true);
  });

  it('through a post, an edit, an accept, a lapse that reopens, a cancel and an expiry', async () => {
    const editable = await postRequest(t, customer, { title: 'Scanner jams', description: 'The scanner jams on every page.' });
    await expectTrue('a post');
    expect(await wordsOf(editable.id)).toEqual(['jam', 'scanner']);

    const edited = await t.http
      .patch(`/v1/requests/${editable.id}`)
      .set('authorization', customer.auth)
      .send({ title: 'Scanner feeder broken' });
    expect(edited.status).toBe(200);
    await expectTrue('an edit of the title');
    expect(await wordsOf(editable.id)).toEqual(['broken', 'feeder', 'scanner']);

    const deal = await acceptedDeal(t, { customer, request: { title: 'Router reboots nightly' } });
    await expectTrue('an accept');
    expect(await wordsOf(deal.requestId)).toEqual([]);

    expect(await lapsePaymentWindow(t, deal.requestId, new Date(Date.now() + 7 * 24 * 3600_000))).toBe(true);
    await expectTrue('a lapsed payment reopens the request');
    expect(await wordsOf(deal.requestId)).toEqual(expect.arrayContaining(['router', 'reboot', 'night']));

    const cancelled = await t.http.post(`/v1/requests/${deal.requestId}/cancel`).set('authorization', customer.auth);
    expect(cancelled.status).toBe(200);
    await expectTrue('a cancel');
    expect(await wordsOf(deal.requestId)).toEqual([]);

    expect(await t.app.get(RequestLifecycle).fireTimer('expire', editable.id, new Date(Date.now() + 30 * 24 * 3600_000))).toBe(true);
    await expectTrue('an expiry');
    expect(await wordsOf(editable.id)).toEqual([]);
  });
});

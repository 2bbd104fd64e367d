import { randomUUID } from 'node:crypto';
import { acceptBid, makeAdmin, placeBid, postRequest, registerUser, suspendUser, TestUser } from '../support/factories';
import { lapsePaymentWindow } from '../support/deals';
import { createTestApp, TestApp } from '../support/test-app';

// Registration hashes passwords (argon2id): set-ups that make several users need more than jest's 5 s.
jest.setTimeout(30_000);

const HOUR = 3_600_000;
type Page = { data: Array<{ id: string; senderId: string; body: string }>; hasMore: boolean; nextCursor: string | null };

/** Messages between a request's owner and its awarded expert, from acceptance on; everyone else 404. */
describe('messages', () => {
  let t: TestApp;
  let customer: TestUser;
  let awarded: TestUser;
  let loser: TestUser;
  let stranger: TestUser;
  let admin: TestUser;
  let requestId: string;
  let awardedBidId: string;
  let loserBidId: string;

  beforeAll(async () => {
    t = await createTestApp();
    [customer, awarded, loser, stranger, admin] = await Promise.all([
      registerUser(t, 'customer'),
      registerUser(t, 'expert'),
      registerUser(t, 'expert'),
      registerUser(t, 'customer'),
      makeAdmin(t),
    ]);
    requestId = (await postRequest(t, customer)).id;
    awardedBidId = (await placeBid(t, awarded, requestId)).id;
    loserBidId = (await placeBid(t, loser, requestId)).id;
  });
  afterAll(() => t.close());

  const send = (user: TestUser, body: unknown, id = requestId) =>
    t.http.post(`/v1/requests/${id}/messages`).set('authorization', user.auth).send(body as object);
  const read = (user: TestUser, query = '', id = requestId) => t.http.get(`/v1/requests/${id}/messages${query}`).set('authorization', user.auth);

  it('before acceptance there is no conversation: owner and bidders → 404', async () => {
    for (const u of [customer, awarded, loser]) {
      expect((await read(u)).status).toBe(404);
      expect((await send(u, { body: 'Hello there' })).status).toBe(404);
    }
    await acceptBid(t, customer, awardedBidId);
  });

  it('owner and awarded expert write and read, oldest first; message.created events name the expert', async () => {
    const first = await send(customer, { body: 'Hi, can you start today?' }).expect(201);
    expect(first.body).toMatchObject({ requestId, senderId: customer.id, body: 'Hi, can you start today?' });
    expect(Object.keys(first.body).sort()).toEqual(['body', 'createdAt', 'id', 'requestId', 'senderId']);
    const second = await send(awarded, { body: 'Yes, in an hour.' }).expect(201);
    for (const u of [customer, awarded]) {
      const page: Page = (await read(u).expect(200)).body;
      expect(page.data.map((m) => m.id)).toEqual([first.body.id, second.body.id]);
      expect(page).toMatchObject({ hasMore: false, nextCursor: null });
    }
    const ev = await t.ds.query(`SELECT type, expert_id, payload FROM events WHERE request_id = $1 AND type = 'message.created' ORDER BY sequence`, [
      requestId,
    ]);
    expect(ev).toEqual([
      { type: 'message.created', expert_id: awarded.id, payload: first.body },
      { type: 'message.created', expert_id: awarded.id, payload: second.body },
    ]);
  });

  it('API1 a losing bidder, another customer, an admin, unknown and malformed ids → 404', async () => {
    for (const u of [loser, stranger, admin]) {
      const r = await read(u);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('not_found');
      expect((await send(u, { body: 'Let me in' })).status).toBe(404);
    }
    expect((await read(customer, '', randomUUID())).status).toBe(404);
    expect((await read(customer, '', 'nope')).status).toBe(404);
    expect((await send(customer, { body: 'x' }, randomUUID())).status).toBe(404);
    expect((await t.http.get(`/v1/requests/${requestId}/messages`)).status).toBe(401);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM messages WHERE sender_id = ANY($1)`, [[loser.id, stranger.id, admin.id]]);
    expect(n).toBe(0);
  });

  const bad: Array<[string, string, string, unknown]> = [
    ['missing body', 'missing_field', 'body', {}],
    ['empty body', 'invalid_field', 'body', { body: '' }],
    ['V4 body of 5001 characters', 'invalid_field', 'body', { body: 'x'.repeat(5001) }],
    ['body a number', 'invalid_field', 'body', { body: 42 }],
    ['B1 senderId in the body', 'unknown_field', 'senderId', { body: 'hi', senderId: randomUUID() }],
  ];
  it.each(bad)('%s → 400 %s (param %s)', async (_name, code, param, body) => {
    const res = await send(customer, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
  });

  it('a body of 5000 characters is accepted', async () => {
    await send(awarded, { body: 'y'.repeat(5000) }).expect(201);
  });

  it('B4 limit 0, 101, "x" and a tampered cursor → 400', async () => {
    for (const q of ['?limit=0', '?limit=101', '?limit=x']) {
      const res = await read(customer, q);
      expect(res.status).toBe(400);
      expect(res.body.error.param).toBe('limit');
    }
    const { nextCursor } = (await read(customer, '?limit=1')).body as Page;
    const res = await read(customer, `?cursor=${encodeURIComponent(`${nextCursor!.slice(0, -3)}abc`)}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_cursor', param: 'cursor' });
  });

  it('P3 posting while paging oldest first never duplicates or drops a message', async () => {
    const r = (await postRequest(t, customer)).id;
    const bid = await placeBid(t, awarded, r);
    await acceptBid(t, customer, bid.id);
    const existing: string[] = [];
    for (let i = 0; i < 6; i++) existing.push((await send(i % 2 ? awarded : customer, { body: `before ${i}` }, r).expect(201)).body.id);
    const posted: string[] = [];
    const seen: string[] = [];
    let cursor: string | null = null;
    let round = 0;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      // Four rounds post two messages each while a page is read; then the reader catches up.
      const writes = round < 4 ? [send(customer, { body: `during ${round}a` }, r), send(awarded, { body: `during ${round}b` }, r)] : [];
      const [page, ...sent] = await Promise.all([read(customer, query, r), ...writes]);
      posted.push(...sent.map((m) => (m.body as { id: string }).id));
      seen.push(...(page.body as Page).data.map((m) => m.id));
      cursor = (page.body as Page).nextCursor;
      round++;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    // Oldest first: everything that existed, and everything posted while paging, shows up once.
    expect(seen.slice(0, existing.length)).toEqual(existing);
    expect([...seen].sort()).toEqual([...existing, ...posted].sort());
  });

  it('the conversation belongs to the accepted bid: after a lapsed payment window, the next expert does not read it', async () => {
    const before = (await read(customer)).body as Page;
    expect(before.data.length).toBeGreaterThan(0);
    const acceptedAt = (await t.ds.query(`SELECT accepted_at FROM help_requests WHERE id = $1`, [requestId]))[0].accepted_at as Date;
    expect(await lapsePaymentWindow(t, requestId, new Date(acceptedAt.getTime() + 25 * HOUR))).toBe(true);
    expect((await read(customer)).status).toBe(404);
    expect((await read(awarded)).status).toBe(404);
    await acceptBid(t, customer, loserBidId);
    const fresh = (await read(loser).expect(200)).body as Page;
    expect(fresh.data).toEqual([]);
    expect((await read(customer).expect(200)).body.data).toEqual([]);
    expect((await read(awarded)).status).toBe(404);
    await send(loser, { body: 'Thanks for picking me.' }).expect(201);
  });

  it('a suspended party → 401', async () => {
    await suspendUser(t, admin, loser.id);
    const res = await read(loser);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('account_suspended');
  });
});

import { randomUUID } from 'node:crypto';
import { acceptBid, createProfile, makeAdmin, placeBid, postRequest, registerUser, suspendUser, TestUser, validRequest } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

// Registration hashes passwords (argon2id): set-ups that make several users need more than jest's 5 s.
jest.setTimeout(30_000);

const HOUR = 3_600_000;

/** Help requests: create, get, patch, cancel, who may do what (API1), and their events. */
describe('help requests', () => {
  let t: TestApp;
  let customer: TestUser;
  let other: TestUser;
  let expert: TestUser;
  let expert2: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    [customer, other, expert, expert2, admin] = await Promise.all([
      registerUser(t, 'customer'),
      registerUser(t, 'customer'),
      registerUser(t, 'expert'),
      registerUser(t, 'expert'),
      makeAdmin(t),
    ]);
  });
  afterAll(() => t.close());

  const events = async (requestId: string) =>
    (await t.ds.query(`SELECT type, sequence, expert_id AS "expertId", payload FROM events WHERE request_id = $1 ORDER BY sequence`, [
      requestId,
    ])) as Array<{ type: string; sequence: number; expertId: string | null; payload: Record<string, unknown> & { id?: string; status?: string } }>;
  const get = (user: TestUser, id: string) => t.http.get(`/v1/requests/${id}`).set('authorization', user.auth);
  const patch = (user: TestUser, id: string, body: object) => t.http.patch(`/v1/requests/${id}`).set('authorization', user.auth).send(body);
  const cancel = (user: TestUser, id: string) => t.http.post(`/v1/requests/${id}/cancel`).set('authorization', user.auth);

  describe('POST /v1/requests', () => {
    it('creates an open request with the defaults, a request.created event and an expiry job', async () => {
      const before = Date.now();
      const res = await t.http.post('/v1/requests').set('authorization', customer.auth).send(validRequest()).expect(201);
      const r = res.body;
      expect(r).toMatchObject({
        customerId: customer.id,
        title: validRequest().title,
        category: 'windows',
        maxBudget: { amount: 5000, currency: 'usd' },
        urgency: 'normal',
        language: 'en',
        status: 'open',
        bidCount: 0,
        acceptedBidId: null,
        reviewDueAt: null,
      });
      const closes = Date.parse(r.biddingClosesAt);
      expect(closes).toBeGreaterThanOrEqual(before + 72 * HOUR);
      expect(closes).toBeLessThanOrEqual(Date.now() + 72 * HOUR);
      expect(r.nextAutomaticTransition).toEqual({ name: 'expire', at: r.biddingClosesAt });
      expect(Object.keys(r)).toEqual(
        expect.arrayContaining([
          'id', 'customerId', 'title', 'description', 'category', 'maxBudget', 'urgency', 'language', 'status', 'bidCount',
          'acceptedBidId', 'biddingClosesAt', 'reviewDueAt', 'nextAutomaticTransition', 'createdAt', 'updatedAt',
        ]),
      );
      // Internal columns never leave the server.
      for (const internal of ['eventSequence', 'search', 'acceptedAt', 'closedAt', 'customer', 'maxBudgetAmount']) expect(r).not.toHaveProperty(internal);
      const ev = await events(r.id);
      expect(ev.map((e) => [e.type, e.sequence])).toEqual([['request.created', 1]]);
      expect(ev[0].payload).toEqual(r);
      const jobs = await t.ds.query(`SELECT start_after FROM pgboss.job WHERE name = 'request.expire' AND data->>'requestId' = $1`, [r.id]);
      expect(jobs).toHaveLength(1);
      expect(new Date(jobs[0].start_after).toISOString()).toBe(r.biddingClosesAt);
    });

    it('scores matching experts in the same transaction (request_matches)', async () => {
      const skilled = await registerUser(t, 'expert');
      await createProfile(t, skilled, ['data-recovery']);
      const r = await postRequest(t, customer, { category: 'data-recovery' });
      const matches = await t.ds.query(`SELECT expert_id, score FROM request_matches WHERE request_id = $1`, [r.id]);
      expect(matches).toEqual([{ expert_id: skilled.id, score: expect.any(Number) }]);
      expect(matches[0].score).toBeGreaterThan(0.5);
    });

    it('takes urgency, language, biddingClosesAt and no budget', async () => {
      const at = new Date(Date.now() + 5 * HOUR).toISOString();
      const { maxBudget: _omit, ...noBudget } = validRequest();
      const r = await postRequest(t, customer, { ...noBudget, maxBudget: undefined, urgency: 'urgent', language: 'de', biddingClosesAt: at });
      expect(r).toMatchObject({ urgency: 'urgent', language: 'de', biddingClosesAt: at, maxBudget: null });
    });

    it('only customers post: expert and admin → 403, no token → 401, suspended → 401', async () => {
      for (const u of [expert, admin]) {
        const res = await t.http.post('/v1/requests').set('authorization', u.auth).send(validRequest());
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
      expect((await t.http.post('/v1/requests').send(validRequest())).status).toBe(401);
      const suspended = await registerUser(t, 'customer');
      await suspendUser(t, admin, suspended.id);
      const res = await t.http.post('/v1/requests').set('authorization', suspended.auth).send(validRequest());
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('account_suspended');
    });

    const soon = () => new Date(Date.now() + 30 * 60_000).toISOString();
    const far = () => new Date(Date.now() + 31 * 24 * HOUR).toISOString();
    const past = () => new Date(Date.now() - HOUR).toISOString();
    const bad: Array<[string, string, string, () => Record<string, unknown>]> = [
      ['B1 status in the body', 'unknown_field', 'status', () => ({ ...validRequest(), status: 'completed' })],
      ['B1 customerId in the body', 'unknown_field', 'customerId', () => ({ ...validRequest(), customerId: randomUUID() })],
      ['unknown field in maxBudget', 'unknown_field', 'maxBudget.fee', () => ({ ...validRequest(), maxBudget: { amount: 5000, currency: 'usd', fee: 1 } })],
      ['missing title', 'missing_field', 'title', () => ({ ...validRequest(), title: undefined })],
      ['title of 4 characters', 'invalid_field', 'title', () => ({ ...validRequest(), title: 'abcd' })],
      ['V4 title of 141 characters', 'invalid_field', 'title', () => ({ ...validRequest(), title: 'x'.repeat(141) })],
      ['title a number', 'invalid_field', 'title', () => ({ ...validRequest(), title: 12345 })],
      ['description of 19 characters', 'invalid_field', 'description', () => ({ ...validRequest(), description: 'x'.repeat(19) })],
      ['V4 description of 10001 characters', 'invalid_field', 'description', () => ({ ...validRequest(), description: 'x'.repeat(10_001) })],
      ['unknown category', 'invalid_field', 'category', () => ({ ...validRequest(), category: 'plumbing' })],
      ['category a number', 'invalid_field', 'category', () => ({ ...validRequest(), category: 7 })],
      ['B2 amount 12.5', 'invalid_field', 'maxBudget.amount', () => ({ ...validRequest(), maxBudget: { amount: 12.5, currency: 'usd' } })],
      ['B2 amount "1000"', 'invalid_field', 'maxBudget.amount', () => ({ ...validRequest(), maxBudget: { amount: '1000', currency: 'usd' } })],
      ['B2 amount -1', 'invalid_field', 'maxBudget.amount', () => ({ ...validRequest(), maxBudget: { amount: -1, currency: 'usd' } })],
      ['B2 amount 499', 'invalid_field', 'maxBudget.amount', () => ({ ...validRequest(), maxBudget: { amount: 499, currency: 'usd' } })],
      ['B2 amount 1000001', 'invalid_field', 'maxBudget.amount', () => ({ ...validRequest(), maxBudget: { amount: 1_000_001, currency: 'usd' } })],
      ['B2 amount 5500.5', 'invalid_field', 'maxBudget.amount', () => ({ ...validRequest(), maxBudget: { amount: 5500.5, currency: 'usd' } })],
      ['missing amount', 'missing_field', 'maxBudget.amount', () => ({ ...validRequest(), maxBudget: { currency: 'usd' } })],
      ['B3 currency "USD"', 'invalid_field', 'maxBudget.currency', () => ({ ...validRequest(), maxBudget: { amount: 5000, currency: 'USD' } })],
      ['B3 currency "jpy"', 'invalid_field', 'maxBudget.currency', () => ({ ...validRequest(), maxBudget: { amount: 5000, currency: 'jpy' } })],
      ['maxBudget a number', 'invalid_field', 'maxBudget', () => ({ ...validRequest(), maxBudget: 5000 })],
      ['maxBudget a string', 'invalid_field', 'maxBudget', () => ({ ...validRequest(), maxBudget: '5000 usd' })],
      ['urgency "asap"', 'invalid_field', 'urgency', () => ({ ...validRequest(), urgency: 'asap' })],
      ['biddingClosesAt 30 minutes ahead', 'invalid_field', 'biddingClosesAt', () => ({ ...validRequest(), biddingClosesAt: soon() })],
      ['biddingClosesAt 31 days ahead', 'invalid_field', 'biddingClosesAt', () => ({ ...validRequest(), biddingClosesAt: far() })],
      ['biddingClosesAt in the past', 'invalid_field', 'biddingClosesAt', () => ({ ...validRequest(), biddingClosesAt: past() })],
      ['biddingClosesAt "tomorrow"', 'invalid_field', 'biddingClosesAt', () => ({ ...validRequest(), biddingClosesAt: 'tomorrow' })],
      ['biddingClosesAt a number', 'invalid_field', 'biddingClosesAt', () => ({ ...validRequest(), biddingClosesAt: Date.now() + 5 * HOUR })],
      ['language "EN"', 'invalid_field', 'language', () => ({ ...validRequest(), language: 'EN' })],
      ['language "eng"', 'invalid_field', 'language', () => ({ ...validRequest(), language: 'eng' })],
      ['language 1', 'invalid_field', 'language', () => ({ ...validRequest(), language: 1 })],
    ];
    it.each(bad)('%s → 400 %s (param %s), nothing stored', async (_name, code, param, body) => {
      const [{ n: before }] = await t.ds.query(`SELECT count(*)::int AS n FROM help_requests`);
      const res = await t.http.post('/v1/requests').set('authorization', customer.auth).send(body());
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request', code, param });
      expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
      const [{ n: after }] = await t.ds.query(`SELECT count(*)::int AS n FROM help_requests`);
      expect(after).toBe(before);
    });

    it('R4 ten concurrent POSTs with one Idempotency-Key → one row', async () => {
      const poster = await registerUser(t, 'customer');
      const key = `create-${randomUUID()}`;
      const results = await Promise.all(
        Array.from({ length: 10 }, () => t.http.post('/v1/requests').set('authorization', poster.auth).set('Idempotency-Key', key).send(validRequest())),
      );
      for (const res of results) expect([201, 409]).toContain(res.status);
      const created = results.filter((r) => r.status === 201);
      expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
      const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM help_requests WHERE customer_id = $1`, [poster.id]);
      expect(n).toBe(1);
    });
  });

  describe('GET /v1/requests/:id (API1)', () => {
    it('the owner, an admin and any expert while open; another customer → 404', async () => {
      const r = await postRequest(t, customer);
      for (const u of [customer, admin, expert]) {
        const res = await get(u, r.id).expect(200);
        expect(res.body).toEqual(r);
      }
      const res = await get(other, r.id);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ type: 'not_found', code: 'not_found' });
    });

    it('once not open: the experts who bid on it, not the others → 404', async () => {
      const r = await postRequest(t, customer);
      const bid = await placeBid(t, expert, r.id);
      await acceptBid(t, customer, bid.id);
      expect((await get(expert, r.id)).status).toBe(200);
      expect((await get(expert2, r.id)).status).toBe(404);
      await cancel(customer, r.id).expect(200);
      expect((await get(expert, r.id)).body.status).toBe('cancelled');
      expect((await get(expert2, r.id)).status).toBe(404);
    });

    it('unknown and malformed ids → 404; no token → 401; suspended → 401', async () => {
      expect((await get(customer, randomUUID())).status).toBe(404);
      expect((await get(customer, 'not-a-uuid')).status).toBe(404);
      const r = await postRequest(t, customer);
      expect((await t.http.get(`/v1/requests/${r.id}`)).status).toBe(401);
      const victim = await registerUser(t, 'customer');
      const own = await postRequest(t, victim);
      await suspendUser(t, admin, victim.id);
      const res = await get(victim, own.id);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('account_suspended');
    });
  });

  describe('PATCH /v1/requests/:id', () => {
    it('the owner edits title, description, urgency and budget → request.updated; search follows the title', async () => {
      const r = await postRequest(t, customer);
      const res = await patch(customer, r.id, {
        title: 'Printer offline on the wifi zebraprinter',
        description: 'The office printer dropped off the wireless network yesterday.',
        urgency: 'low',
        maxBudget: { amount: 9000, currency: 'eur' },
      }).expect(200);
      expect(res.body).toMatchObject({ title: 'Printer offline on the wifi zebraprinter', urgency: 'low', maxBudget: { amount: 9000, currency: 'eur' } });
      expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(r.updatedAt as string));
      const ev = await events(r.id);
      expect(ev.map((e) => e.type)).toEqual(['request.created', 'request.updated']);
      expect(ev[1].payload).toEqual(res.body);
      const found = await t.http.get('/v1/requests?q=zebraprinter').set('authorization', customer.auth).expect(200);
      expect(found.body.data.map((x: { id: string }) => x.id)).toEqual([r.id]);
    });

    it('maxBudget null removes the budget; an empty body changes nothing and records nothing', async () => {
      const r = await postRequest(t, customer);
      expect((await patch(customer, r.id, { maxBudget: null }).expect(200)).body.maxBudget).toBeNull();
      const same = await patch(customer, r.id, {}).expect(200);
      expect(same.body.maxBudget).toBeNull();
      expect((await events(r.id)).map((e) => e.type)).toEqual(['request.created', 'request.updated']);
    });

    it('moving biddingClosesAt moves nextAutomaticTransition and schedules a new expiry job', async () => {
      const r = await postRequest(t, customer);
      const at = new Date(Date.now() + 10 * HOUR).toISOString();
      const res = await patch(customer, r.id, { biddingClosesAt: at }).expect(200);
      expect(res.body.biddingClosesAt).toBe(at);
      expect(res.body.nextAutomaticTransition).toEqual({ name: 'expire', at });
      const jobs = await t.ds.query(
        `SELECT start_after FROM pgboss.job WHERE name = 'request.expire' AND data->>'requestId' = $1 ORDER BY start_after`,
        [r.id],
      );
      expect(jobs.map((j: { start_after: Date }) => new Date(j.start_after).toISOString())).toEqual([at, r.biddingClosesAt]);
    });

    it('B1 unknown fields (status, customerId, bidCount) → 400 unknown_field; bad values → 400 with param', async () => {
      const r = await postRequest(t, customer);
      for (const field of ['status', 'customerId', 'bidCount', 'category']) {
        const res = await patch(customer, r.id, { [field]: field === 'bidCount' ? 0 : 'x' });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'unknown_field', param: field });
      }
      const cases: Array<[object, string]> = [
        [{ title: 'abc' }, 'title'],
        [{ description: 7 }, 'description'],
        [{ maxBudget: { amount: 12.5, currency: 'usd' } }, 'maxBudget.amount'],
        [{ maxBudget: { amount: 5000, currency: 'USD' } }, 'maxBudget.currency'],
        [{ urgency: 'now' }, 'urgency'],
        [{ biddingClosesAt: new Date(Date.now() + 10 * 60_000).toISOString() }, 'biddingClosesAt'],
      ];
      for (const [body, param] of cases) {
        const res = await patch(customer, r.id, body);
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'invalid_field', param });
      }
      expect((await get(customer, r.id)).body).toMatchObject({ title: r.title, status: 'open' });
    });

    it('another customer → 404, an expert or admin → 403, suspended owner → 401', async () => {
      const owner = await registerUser(t, 'customer');
      const r = await postRequest(t, owner);
      expect((await patch(other, r.id, { title: 'Stolen title' })).status).toBe(404);
      expect((await patch(other, randomUUID(), { title: 'Stolen title' })).status).toBe(404);
      expect((await patch(expert, r.id, { title: 'Stolen title' })).status).toBe(403);
      expect((await patch(admin, r.id, { title: 'Stolen title' })).status).toBe(403);
      await suspendUser(t, admin, owner.id);
      expect((await patch(owner, r.id, { title: 'Too late now' })).status).toBe(401);
      expect((await t.ds.query(`SELECT title FROM help_requests WHERE id = $1`, [r.id]))[0].title).toBe(r.title);
    });

    it('with a bid → 409 request_has_bids; once not open → 409 request_not_open', async () => {
      const r = await postRequest(t, customer);
      const bid = await placeBid(t, expert, r.id);
      const res = await patch(customer, r.id, { title: 'A new better title' });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ type: 'conflict', code: 'request_has_bids' });
      await acceptBid(t, customer, bid.id);
      const late = await patch(customer, r.id, { title: 'A new better title' });
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe('request_not_open');
      expect(late.body.error.message).toMatch(/awaiting_payment/);
    });
  });

  describe('POST /v1/requests/:id/cancel', () => {
    it('open → cancelled; live bids rejected; request.cancelled and bid.rejected events; a second cancel → 409', async () => {
      const r = await postRequest(t, customer);
      const b1 = await placeBid(t, expert, r.id);
      const b2 = await placeBid(t, expert2, r.id);
      const res = await cancel(customer, r.id).expect(200);
      expect(res.body).toMatchObject({ status: 'cancelled', acceptedBidId: null, nextAutomaticTransition: null });
      const bids = await t.ds.query(`SELECT id, status FROM bids WHERE request_id = $1`, [r.id]);
      expect(bids.every((b: { status: string }) => b.status === 'rejected')).toBe(true);
      const ev = await events(r.id);
      const tail = ev.slice(-3);
      expect(tail[0]).toMatchObject({ type: 'request.cancelled', payload: res.body });
      expect(tail.slice(1).map((e) => [e.type, e.payload.id, e.payload.status, e.expertId]).sort()).toEqual(
        [
          ['bid.rejected', b1.id, 'rejected', expert.id],
          ['bid.rejected', b2.id, 'rejected', expert2.id],
        ].sort(),
      );
      expect(ev.map((e) => e.sequence)).toEqual(ev.map((_, i) => i + 1));
      const again = await cancel(customer, r.id);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('request_not_open');
    });

    it('awaiting_payment → cancelled, the accepted bid and the others rejected, the expert\'s load released', async () => {
      const loaded = await registerUser(t, 'expert');
      await createProfile(t, loaded);
      const load = async () => (await t.ds.query(`SELECT active_jobs FROM expert_profiles WHERE user_id = $1`, [loaded.id]))[0].active_jobs as number;
      const r = await postRequest(t, customer);
      const b1 = await placeBid(t, loaded, r.id);
      const b2 = await placeBid(t, expert2, r.id);
      await acceptBid(t, customer, b1.id);
      expect(await load()).toBe(1);
      const res = await cancel(customer, r.id).expect(200);
      expect(await load()).toBe(0);
      expect(res.body).toMatchObject({ status: 'cancelled', acceptedBidId: null });
      const rows = await t.ds.query(`SELECT id, status FROM bids WHERE request_id = $1 ORDER BY id`, [r.id]);
      expect(rows).toEqual([{ id: b1.id, status: 'rejected' }, { id: b2.id, status: 'rejected' }].sort((a, b) => a.id.localeCompare(b.id)));
    });

    it('once money is held (in_progress, resolved, disputed) → 409 request_in_progress, nothing changes', async () => {
      for (const status of ['in_progress', 'resolved', 'disputed']) {
        const r = await postRequest(t, customer);
        const bid = await placeBid(t, expert, r.id);
        await acceptBid(t, customer, bid.id);
        await t.ds.query(`UPDATE help_requests SET status = $2, funded_at = now(), review_due_at = now() + interval '7 days' WHERE id = $1`, [
          r.id,
          status,
        ]);
        const res = await cancel(customer, r.id);
        expect(res.status).toBe(409);
        expect(res.body.error).toMatchObject({ code: 'request_in_progress' });
        expect((await get(customer, r.id)).body.status).toBe(status);
        expect((await t.ds.query(`SELECT status FROM bids WHERE id = $1`, [bid.id]))[0].status).toBe('accepted');
      }
    });

    it('another customer → 404, an expert or admin → 403', async () => {
      const r = await postRequest(t, customer);
      expect((await cancel(other, r.id)).status).toBe(404);
      expect((await cancel(expert, r.id)).status).toBe(403);
      expect((await cancel(admin, r.id)).status).toBe(403);
      expect((await cancel(customer, 'nope')).status).toBe(404);
      expect((await get(customer, r.id)).body.status).toBe('open');
    });
  });
});

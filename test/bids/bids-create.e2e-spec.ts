import { createTestApp, TestApp } from '../support/test-app';
import { createProfile, makeAdmin, placeBid, postRequest, registerUser, suspendUser, TestUser, validBid } from '../support/factories';
import { errorOf } from './bids-support';

// jest's testTimeout is a global option (ignored inside `projects`), so e2e files set their own.
jest.setTimeout(60_000);

/** POST /v1/requests/:id/bids: every rule of the contract, who is refused, and bad input. */
describe('bids: placing a bid', () => {
  let t: TestApp;
  let customer: TestUser;
  let expert: TestUser;
  let request: { id: string };

  beforeAll(async () => {
    t = await createTestApp();
    customer = await registerUser(t, 'customer');
    expert = await registerUser(t, 'expert');
    request = await postRequest(t, customer);
  });
  afterAll(() => t.close());

  const bid = (who: TestUser, requestId: string, body: unknown = validBid()) =>
    t.http.post(`/v1/requests/${requestId}/bids`).set('authorization', who.auth).send(body as object);

  const liveBids = async (requestId: string): Promise<number> =>
    Number((await t.ds.query(`SELECT count(*) FROM bids WHERE request_id = $1 AND status IN ('active','accepted')`, [requestId]))[0].count);

  it('201 with the contract shape; bidCount +1, a bid.created event and the expert marked active, in one transaction', async () => {
    const withProfile = await registerUser(t, 'expert');
    await createProfile(t, withProfile);
    await t.ds.query(`UPDATE expert_profiles SET last_active_at = now() - interval '30 days' WHERE user_id = $1`, [withProfile.id]);
    const own = await postRequest(t, customer);

    const res = await bid(withProfile, own.id, validBid({ amount: { amount: 4200, currency: 'usd' }, etaMinutes: 90 }));
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(
      ['amount', 'createdAt', 'etaMinutes', 'expertId', 'id', 'message', 'requestId', 'status', 'updatedAt', 'warrantyDays'].sort(),
    );
    expect(res.body).toMatchObject({
      requestId: own.id,
      expertId: withProfile.id,
      amount: { amount: 4200, currency: 'usd' },
      etaMinutes: 90,
      message: 'I can fix this today.',
      status: 'active',
    });
    const [req] = await t.ds.query(`SELECT bid_count FROM help_requests WHERE id = $1`, [own.id]);
    expect(req.bid_count).toBe(1);
    const events = await t.ds.query(`SELECT type, expert_id, payload FROM events WHERE request_id = $1 AND type = 'bid.created'`, [own.id]);
    expect(events).toHaveLength(1);
    expect(events[0].expert_id).toBe(withProfile.id);
    expect(events[0].payload).toMatchObject({ id: res.body.id, status: 'active' });
    const [profile] = await t.ds.query(`SELECT last_active_at > now() - interval '1 minute' AS fresh FROM expert_profiles WHERE user_id = $1`, [withProfile.id]);
    expect(profile.fresh).toBe(true);
  });

  it('an expert without a profile may bid (nothing to touch)', async () => {
    const own = await postRequest(t, customer);
    expect((await bid(expert, own.id)).status).toBe(201);
  });

  it('C3 a second active bid by the same expert → 409 bid_exists; after withdrawing, a new bid is fine', async () => {
    const own = await postRequest(t, customer);
    const first = await placeBid(t, expert, own.id);
    expect(errorOf(await bid(expert, own.id))).toMatchObject({ status: 409, code: 'bid_exists' });
    const withdrawn = await t.http.post(`/v1/bids/${first.id}/withdraw`).set('authorization', expert.auth);
    expect(withdrawn.status).toBe(200);
    expect((await bid(expert, own.id)).status).toBe(201);
    expect(await liveBids(own.id)).toBe(1);
  });

  it('R6 one expert\'s two bids at once → one 201, one 409 bid_exists, one live bid, bidCount 1', async () => {
    for (let round = 0; round < 5; round++) {
      const own = await postRequest(t, customer);
      const racer = await registerUser(t, 'expert');
      const results = await Promise.all([bid(racer, own.id), bid(racer, own.id)]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(results.find((r) => r.status === 409)!.body.error.code).toBe('bid_exists');
      expect(await liveBids(own.id)).toBe(1);
      const [req] = await t.ds.query(`SELECT bid_count FROM help_requests WHERE id = $1`, [own.id]);
      expect(req.bid_count).toBe(1);
    }
  });

  it('C3 the partial unique index refuses a second live bid even around the service', async () => {
    const own = await postRequest(t, customer);
    await placeBid(t, expert, own.id);
    await expect(
      t.ds.query(`INSERT INTO bids (request_id, expert_id, amount, currency, eta_minutes, message) VALUES ($1, $2, 1000, 'usd', 60, 'sneaky second')`, [
        own.id,
        expert.id,
      ]),
    ).rejects.toMatchObject({ driverError: { code: '23505', constraint: 'UQ_bids_live_per_expert' } });
  });

  it('above maxBudget → 422 bid_over_budget; at the budget is fine', async () => {
    const own = await postRequest(t, customer, { maxBudget: { amount: 5000, currency: 'usd' } });
    expect(errorOf(await bid(expert, own.id, validBid({ amount: { amount: 5001, currency: 'usd' } })))).toEqual({
      status: 422,
      code: 'bid_over_budget',
      param: 'amount',
    });
    expect((await bid(expert, own.id, validBid({ amount: { amount: 5000, currency: 'usd' } }))).status).toBe(201);
  });

  it('another currency than the budget → 422 currency_mismatch; without a budget any supported currency goes', async () => {
    const own = await postRequest(t, customer, { maxBudget: { amount: 5000, currency: 'usd' } });
    expect(errorOf(await bid(expert, own.id, validBid({ amount: { amount: 1000, currency: 'eur' } })))).toEqual({
      status: 422,
      code: 'currency_mismatch',
      param: 'amount',
    });
    const noBudget = await postRequest(t, customer, { maxBudget: undefined });
    expect((await bid(expert, noBudget.id, validBid({ amount: { amount: 1000000, currency: 'gbp' } }))).status).toBe(201);
  });

  it('bidding closed (biddingClosesAt passed, the timer not yet run) → 409 bidding_closed', async () => {
    const own = await postRequest(t, customer);
    await t.ds.query(`UPDATE help_requests SET bidding_closes_at = now() - interval '1 second' WHERE id = $1`, [own.id]);
    expect(errorOf(await bid(expert, own.id))).toMatchObject({ status: 409, code: 'bidding_closed' });
  });

  it('API1 a request no longer open: 404 for an expert who never bid on it, 409 request_not_open for one who did', async () => {
    const own = await postRequest(t, customer);
    const bidder = await registerUser(t, 'expert');
    const first = await placeBid(t, bidder, own.id);
    const withdrawn = await t.http.post(`/v1/bids/${first.id}/withdraw`).set('authorization', bidder.auth);
    expect(withdrawn.status).toBe(200);
    const cancelled = await t.http.post(`/v1/requests/${own.id}/cancel`).set('authorization', customer.auth);
    expect(cancelled.status).toBe(200);
    expect(errorOf(await bid(expert, own.id))).toMatchObject({ status: 404, code: 'not_found' });
    expect(errorOf(await bid(bidder, own.id))).toMatchObject({ status: 409, code: 'request_not_open' });
  });

  it('an unknown or malformed request id → 404', async () => {
    expect(errorOf(await bid(expert, '00000000-0000-4000-8000-000000000000'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(errorOf(await bid(expert, 'not-a-uuid'))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('a request of their own → 422 cannot_bid_own_request (only reachable if roles change; still guarded)', async () => {
    const own = await postRequest(t, customer);
    await t.ds.query(`UPDATE help_requests SET customer_id = $2 WHERE id = $1`, [own.id, expert.id]);
    expect(errorOf(await bid(expert, own.id))).toMatchObject({ status: 422, code: 'cannot_bid_own_request' });
  });

  it('wrong role → 403 (customer, admin); no token → 401; a suspended expert → 401', async () => {
    expect(errorOf(await bid(customer, request.id))).toMatchObject({ status: 403, code: 'forbidden' });
    const admin = await makeAdmin(t);
    expect(errorOf(await bid(admin, request.id))).toMatchObject({ status: 403, code: 'forbidden' });
    expect((await t.http.post(`/v1/requests/${request.id}/bids`).send(validBid())).status).toBe(401);
    const suspended = await registerUser(t, 'expert');
    await suspendUser(t, admin, suspended.id);
    expect((await bid(suspended, request.id)).status).toBe(401);
  });

  describe('B1-B3 bad input → 400 naming the field, nothing written', () => {
    it.each([
      ['12.5', 12.5],
      ['"1000"', '1000'],
      ['-1', -1],
      ['499', 499],
      ['1000001', 1000001],
      ['null', null],
      ['true', true],
    ])('B2 amount %s → 400 param amount.amount', async (_label, amount) => {
      const res = await bid(expert, request.id, validBid({ amount: { amount, currency: 'usd' } }));
      expect(res.status).toBe(400);
      expect(res.body.error.param).toBe('amount.amount');
    });

    it.each(['USD', 'jpy', '', 7])('B3 currency %p → 400 param amount.currency', async (currency) => {
      const res = await bid(expert, request.id, validBid({ amount: { amount: 1000, currency } }));
      expect(errorOf(res)).toMatchObject({ status: 400, param: 'amount.currency' });
    });

    it.each([
      ['missing', undefined, 'missing_field'],
      ['a number', 1000, 'invalid_field'],
      ['a string', '1000 usd', 'invalid_field'],
    ])('amount %s → 400 %s amount', async (_label, amount, code) => {
      const res = await bid(expert, request.id, validBid({ amount }));
      expect(errorOf(res)).toEqual({ status: 400, code, param: 'amount' });
    });

    it('an unknown field inside amount → 400 unknown_field amount.cents', async () => {
      const res = await bid(expert, request.id, validBid({ amount: { amount: 1000, currency: 'usd', cents: 1 } }));
      expect(errorOf(res)).toEqual({ status: 400, code: 'unknown_field', param: 'amount.cents' });
    });

    it.each([14, 43201, 'x', '60', 60.5, null])('etaMinutes %p → 400 param etaMinutes', async (etaMinutes) => {
      expect(errorOf(await bid(expert, request.id, validBid({ etaMinutes })))).toMatchObject({ status: 400, param: 'etaMinutes' });
    });

    it('etaMinutes 15 and 43200 (the bounds) are accepted', async () => {
      const a = await postRequest(t, customer);
      const b = await postRequest(t, customer);
      expect((await bid(expert, a.id, validBid({ etaMinutes: 15 }))).status).toBe(201);
      expect((await bid(expert, b.id, validBid({ etaMinutes: 43200 }))).status).toBe(201);
    });

    it.each([
      ['too short (9)', 'x'.repeat(9)],
      ['too long (2001)', 'x'.repeat(2001)],
      ['a number', 1234567890],
      ['missing', undefined],
    ])('message %s → 400 param message', async (_label, message) => {
      expect(errorOf(await bid(expert, request.id, validBid({ message })))).toMatchObject({ status: 400, param: 'message' });
    });

    it.each([
      ['status', 'accepted'],
      ['expertId', '00000000-0000-4000-8000-000000000000'],
      ['requestId', '00000000-0000-4000-8000-000000000000'],
      ['id', '00000000-0000-4000-8000-000000000000'],
    ])('B1 %s in the body → 400 unknown_field', async (field, value) => {
      const res = await bid(expert, request.id, validBid({ [field]: value }));
      expect(errorOf(res)).toEqual({ status: 400, code: 'unknown_field', param: field });
    });

    it('none of the refused bodies above wrote a bid', async () => {
      const [row] = await t.ds.query(`SELECT count(*)::int AS n FROM bids WHERE request_id = $1`, [request.id]);
      expect(row.n).toBe(0);
    });
  });
});

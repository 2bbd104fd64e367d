import { createTestApp, TestApp } from '../support/test-app';
import { acceptBid, makeAdmin, placeBid, postRequest, registerUser, TestUser, validBid } from '../support/factories';
import { errorOf } from './bids-support';

// jest's testTimeout is a global option (ignored inside `projects`), so e2e files set their own.
jest.setTimeout(60_000);

/** PATCH /v1/bids/:id and POST /v1/bids/:id/withdraw: the owner of the bid only, while it is active and the request open. */
describe('bids: editing and withdrawing', () => {
  let t: TestApp;
  let customer: TestUser;
  let expertA: TestUser;
  let expertB: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    [customer, expertA, expertB] = await Promise.all([
      registerUser(t, 'customer'),
      registerUser(t, 'expert'),
      registerUser(t, 'expert'),
    ]);
  });
  afterAll(() => t.close());

  const patch = (who: TestUser, id: string, body: object) => t.http.patch(`/v1/bids/${id}`).set('authorization', who.auth).send(body);
  const withdraw = (who: TestUser, id: string) => t.http.post(`/v1/bids/${id}/withdraw`).set('authorization', who.auth);
  const bidCount = async (requestId: string) =>
    (await t.ds.query(`SELECT bid_count FROM help_requests WHERE id = $1`, [requestId]))[0].bid_count as number;
  const eventsOf = async (requestId: string, type: string) =>
    t.ds.query(`SELECT expert_id, payload FROM events WHERE request_id = $1 AND type = $2 ORDER BY sequence`, [requestId, type]);

  it('PATCH edits amount, etaMinutes and message; bid.updated event; the response is the bid', async () => {
    const request = await postRequest(t, customer);
    const bid = await placeBid(t, expertA, request.id);
    const res = await patch(expertA, bid.id, { amount: { amount: 2500, currency: 'usd' }, etaMinutes: 45, message: 'Cheaper and sooner now.' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: bid.id,
      amount: { amount: 2500, currency: 'usd' },
      etaMinutes: 45,
      message: 'Cheaper and sooner now.',
      status: 'active',
    });
    expect(new Date(res.body.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(bid.updatedAt as string).getTime());
    const events = await eventsOf(request.id, 'bid.updated');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ expert_id: expertA.id, payload: { id: bid.id, etaMinutes: 45 } });

    const onlyEta = await patch(expertA, bid.id, { etaMinutes: 30 });
    expect(onlyEta.body).toMatchObject({ etaMinutes: 30, amount: { amount: 2500, currency: 'usd' }, message: 'Cheaper and sooner now.' });
  });

  it('PATCH with an empty body changes nothing and records no event', async () => {
    const request = await postRequest(t, customer);
    const bid = await placeBid(t, expertA, request.id);
    const res = await patch(expertA, bid.id, {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ amount: bid.amount, etaMinutes: bid.etaMinutes, updatedAt: bid.updatedAt });
    expect(await eventsOf(request.id, 'bid.updated')).toHaveLength(0);
  });

  it('PATCH keeps the budget rules: 422 bid_over_budget, 422 currency_mismatch', async () => {
    const request = await postRequest(t, customer, { maxBudget: { amount: 5000, currency: 'usd' } });
    const bid = await placeBid(t, expertA, request.id);
    expect(errorOf(await patch(expertA, bid.id, { amount: { amount: 5001, currency: 'usd' } }))).toMatchObject({ status: 422, code: 'bid_over_budget' });
    expect(errorOf(await patch(expertA, bid.id, { amount: { amount: 1000, currency: 'gbp' } }))).toMatchObject({ status: 422, code: 'currency_mismatch' });
  });

  it('PATCH after bidding closed → 409 bidding_closed', async () => {
    const request = await postRequest(t, customer);
    const bid = await placeBid(t, expertA, request.id);
    await t.ds.query(`UPDATE help_requests SET bidding_closes_at = now() - interval '1 second' WHERE id = $1`, [request.id]);
    expect(errorOf(await patch(expertA, bid.id, { etaMinutes: 30 }))).toMatchObject({ status: 409, code: 'bidding_closed' });
  });

  it.each([
    [{ status: 'withdrawn' }, 'status'],
    [{ expertId: '00000000-0000-4000-8000-000000000000' }, 'expertId'],
    [{ requestId: '00000000-0000-4000-8000-000000000000' }, 'requestId'],
    [{ amount: { amount: 12.5, currency: 'usd' } }, 'amount.amount'],
    [{ amount: { amount: 1000, currency: 'USD' } }, 'amount.currency'],
    [{ etaMinutes: 14 }, 'etaMinutes'],
    [{ etaMinutes: 43201 }, 'etaMinutes'],
    [{ message: 'too short' }, 'message'],
    [{ message: 'x'.repeat(2001) }, 'message'],
  ])('B1-B3 PATCH with a bad field → 400 param %# %s', async (body, param) => {
    const request = await postRequest(t, customer);
    const bid = await placeBid(t, expertA, request.id);
    expect(errorOf(await patch(expertA, bid.id, body))).toMatchObject({ status: 400, param });
  });

  it('withdraw → withdrawn; bid.withdrawn event; bidCount counts live bids (−1)', async () => {
    const request = await postRequest(t, customer);
    const a = await placeBid(t, expertA, request.id);
    await placeBid(t, expertB, request.id);
    expect(await bidCount(request.id)).toBe(2);
    const res = await withdraw(expertA, a.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: a.id, status: 'withdrawn' });
    expect(await bidCount(request.id)).toBe(1);
    const events = await eventsOf(request.id, 'bid.withdrawn');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ expert_id: expertA.id, payload: { id: a.id, status: 'withdrawn' } });
  });

  it('a withdrawn bid cannot be edited or withdrawn again → 409 bid_not_active', async () => {
    const request = await postRequest(t, customer);
    const bid = await placeBid(t, expertA, request.id);
    await withdraw(expertA, bid.id);
    expect(errorOf(await withdraw(expertA, bid.id))).toMatchObject({ status: 409, code: 'bid_not_active' });
    expect(errorOf(await patch(expertA, bid.id, { etaMinutes: 30 }))).toMatchObject({ status: 409, code: 'bid_not_active' });
    expect(await bidCount(request.id)).toBe(0);
  });

  it('once a bid is accepted: the accepted bid → 409 bid_not_active; another active bid → 409 request_not_open', async () => {
    const request = await postRequest(t, customer);
    const a = await placeBid(t, expertA, request.id);
    const b = await placeBid(t, expertB, request.id);
    await acceptBid(t, customer, a.id);
    expect(errorOf(await withdraw(expertA, a.id))).toMatchObject({ status: 409, code: 'bid_not_active' });
    expect(errorOf(await patch(expertA, a.id, { etaMinutes: 30 }))).toMatchObject({ status: 409, code: 'bid_not_active' });
    expect(errorOf(await withdraw(expertB, b.id))).toMatchObject({ status: 409, code: 'request_not_open' });
    expect(errorOf(await patch(expertB, b.id, { etaMinutes: 30 }))).toMatchObject({ status: 409, code: 'request_not_open' });
  });

  it("A1 expert B reads, patches or withdraws expert A's bid → 404, and A's bid is unchanged", async () => {
    const request = await postRequest(t, customer);
    const a = await placeBid(t, expertA, request.id);
    expect(errorOf(await patch(expertB, a.id, { etaMinutes: 30 }))).toMatchObject({ status: 404, code: 'not_found' });
    expect(errorOf(await withdraw(expertB, a.id))).toMatchObject({ status: 404, code: 'not_found' });
    const list = await t.http.get(`/v1/requests/${request.id}/bids`).set('authorization', expertB.auth);
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([]);
    const mine = await t.http.get('/v1/experts/me/bids').set('authorization', expertB.auth);
    expect(mine.body.data.map((x: { id: string }) => x.id)).not.toContain(a.id);
    const [row] = await t.ds.query(`SELECT status, eta_minutes FROM bids WHERE id = $1`, [a.id]);
    expect(row).toEqual({ status: 'active', eta_minutes: 60 });
  });

  it('unknown or malformed bid id → 404; customers and admins → 403; no token → 401', async () => {
    const request = await postRequest(t, customer);
    const a = await placeBid(t, expertA, request.id);
    expect(errorOf(await patch(expertA, '00000000-0000-4000-8000-000000000000', { etaMinutes: 30 }))).toMatchObject({ status: 404 });
    expect(errorOf(await withdraw(expertA, 'nope'))).toMatchObject({ status: 404 });
    expect(errorOf(await patch(customer, a.id, { etaMinutes: 30 }))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(errorOf(await withdraw(customer, a.id))).toMatchObject({ status: 403, code: 'forbidden' });
    const admin = await makeAdmin(t);
    expect(errorOf(await withdraw(admin, a.id))).toMatchObject({ status: 403, code: 'forbidden' });
    expect((await t.http.patch(`/v1/bids/${a.id}`).send(validBid())).status).toBe(401);
    expect((await t.http.post(`/v1/bids/${a.id}/withdraw`)).status).toBe(401);
  });
});

import { createTestApp, TestApp } from '../support/test-app';
import { acceptBid, createProfile, makeAdmin, placeBid, postRequest, registerUser, TestUser } from '../support/factories';
import { lapsePaymentWindow } from '../support/deals';
import { eventTypes } from '../support/inspect';
import { errorOf } from './bids-support';

// jest's testTimeout is a global option (ignored inside `projects`), so e2e files set their own.
jest.setTimeout(60_000);

/** POST /v1/bids/:id/accept: one transaction with row locks, backed by a unique index (C1, R1). */
describe('bids: accepting', () => {
  let t: TestApp;
  let customer: TestUser;
  let experts: TestUser[];

  beforeAll(async () => {
    t = await createTestApp();
    customer = await registerUser(t, 'customer');
    experts = await Promise.all(Array.from({ length: 20 }, () => registerUser(t, 'expert')));
  });
  afterAll(() => t.close());

  const accept = (who: TestUser, bidId: string) => t.http.post(`/v1/bids/${bidId}/accept`).set('authorization', who.auth);
  const statusesOf = async (requestId: string) =>
    (await t.ds.query(`SELECT id, status FROM bids WHERE request_id = $1`, [requestId])) as Array<{ id: string; status: string }>;

  it('200 {request, bid, escrow}: request awaiting_payment, bid accepted, others still active, events, timer, load', async () => {
    const [winner, other] = experts;
    await createProfile(t, winner);
    const request = await postRequest(t, customer);
    const bid = await placeBid(t, winner, request.id);
    const otherBid = await placeBid(t, other, request.id);

    const res = await accept(customer, bid.id);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['bid', 'escrow', 'request']);
    // The escrow is the payments feature's (test/payments): requires_payment, with the owner's client secret.
    expect(res.body.escrow).toMatchObject({ status: 'requires_payment', amount: { amount: 3000, currency: 'usd' } });
    expect(res.body.escrow.clientSecret).toMatch(/^pi_\w+_secret_\w+$/);
    expect(res.body.bid).toMatchObject({ id: bid.id, status: 'accepted', expertId: winner.id });
    expect(res.body.request).toMatchObject({ id: request.id, status: 'awaiting_payment', acceptedBidId: bid.id, bidCount: 2 });
    expect(res.body.request.nextAutomaticTransition.name).toBe('payment_window_lapse');
    const windowEnds = new Date(res.body.request.nextAutomaticTransition.at).getTime();
    expect(Math.abs(windowEnds - (Date.now() + 24 * 3600_000))).toBeLessThan(60_000);

    const [row] = await t.ds.query(`SELECT status, accepted_bid_id, accepted_at FROM help_requests WHERE id = $1`, [request.id]);
    expect(row).toMatchObject({ status: 'awaiting_payment', accepted_bid_id: bid.id });
    expect(row.accepted_at).not.toBeNull();
    expect(Object.fromEntries((await statusesOf(request.id)).map((b) => [b.id, b.status]))).toEqual({
      [bid.id]: 'accepted',
      [otherBid.id]: 'active',
    });
    expect((await eventTypes(t, request.id, 'bid.accepted')).length).toBe(1);
    expect((await eventTypes(t, request.id, 'request.updated')).length).toBe(1);
    const [evt] = await t.ds.query(`SELECT expert_id, payload FROM events WHERE request_id = $1 AND type = 'bid.accepted'`, [request.id]);
    expect(evt).toMatchObject({ expert_id: winner.id, payload: { id: bid.id, status: 'accepted' } });
    const jobs = await t.ds.query(`SELECT start_after FROM pgboss.job WHERE name = 'request.payment-window-lapse' AND data->>'requestId' = $1`, [
      request.id,
    ]);
    expect(jobs).toHaveLength(1);
    const [profile] = await t.ds.query(`SELECT active_jobs FROM expert_profiles WHERE user_id = $1`, [winner.id]);
    expect(profile.active_jobs).toBe(1);
  });

  it('C1 R1 20 concurrent accepts over 20 different bids of one request → one 200, nineteen 409 request_not_open; the database agrees', async () => {
    const request = await postRequest(t, customer);
    const bids = [];
    for (const expert of experts) bids.push(await placeBid(t, expert, request.id));

    const results = await Promise.all(bids.map((b) => accept(customer, b.id)));
    const winners = results.filter((r) => r.status === 200);
    const losers = results.filter((r) => r.status !== 200);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    for (const r of losers) expect(errorOf(r)).toMatchObject({ status: 409, code: 'request_not_open' });
    const winningBidId = winners[0].body.bid.id as string;

    const statuses = await statusesOf(request.id);
    expect(statuses.filter((b) => b.status === 'accepted').map((b) => b.id)).toEqual([winningBidId]);
    expect(statuses.filter((b) => b.status === 'active')).toHaveLength(19);
    const [row] = await t.ds.query(`SELECT status, accepted_bid_id FROM help_requests WHERE id = $1`, [request.id]);
    expect(row).toEqual({ status: 'awaiting_payment', accepted_bid_id: winningBidId });
    expect((await eventTypes(t, request.id, 'bid.accepted')).length).toBe(1);
    const jobs = await t.ds.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'request.payment-window-lapse' AND data->>'requestId' = $1`, [
      request.id,
    ]);
    expect(jobs[0].n).toBe(1);
  });

  it('C1 the same bid accepted twice at once → one 200, one 409 request_not_open', async () => {
    const request = await postRequest(t, customer);
    const bid = await placeBid(t, experts[0], request.id);
    const results = await Promise.all([accept(customer, bid.id), accept(customer, bid.id)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(errorOf(results.find((r) => r.status === 409)!)).toMatchObject({ code: 'request_not_open' });
    expect((await eventTypes(t, request.id, 'bid.accepted')).length).toBe(1);
  });

  it('C1 UQ_bids_accepted_per_request refuses a second accepted bid even around the service', async () => {
    const request = await postRequest(t, customer);
    const a = await placeBid(t, experts[0], request.id);
    const b = await placeBid(t, experts[1], request.id);
    await acceptBid(t, customer, a.id);
    await expect(t.ds.query(`UPDATE bids SET status = 'accepted' WHERE id = $1`, [b.id])).rejects.toMatchObject({
      driverError: { code: '23505', constraint: 'UQ_bids_accepted_per_request' },
    });
  });

  it('a withdrawn bid → 409 bid_not_active; the request stays open', async () => {
    const request = await postRequest(t, customer);
    const bid = await placeBid(t, experts[0], request.id);
    await t.http.post(`/v1/bids/${bid.id}/withdraw`).set('authorization', experts[0].auth).expect(200);
    expect(errorOf(await accept(customer, bid.id))).toMatchObject({ status: 409, code: 'bid_not_active' });
    const [row] = await t.ds.query(`SELECT status, accepted_bid_id FROM help_requests WHERE id = $1`, [request.id]);
    expect(row).toEqual({ status: 'open', accepted_bid_id: null });
  });

  it('a cancelled request → 409 request_not_open', async () => {
    const request = await postRequest(t, customer);
    const bid = await placeBid(t, experts[0], request.id);
    await t.http.post(`/v1/requests/${request.id}/cancel`).set('authorization', customer.auth).expect(200);
    expect(errorOf(await accept(customer, bid.id))).toMatchObject({ status: 409, code: 'request_not_open' });
  });

  it('API1 another customer → 404 and nothing changes; an expert (even the bidder) or an admin → 403; no token → 401', async () => {
    const request = await postRequest(t, customer);
    const bid = await placeBid(t, experts[0], request.id);
    const stranger = await registerUser(t, 'customer');
    expect(errorOf(await accept(stranger, bid.id))).toMatchObject({ status: 404, code: 'not_found' });
    expect(errorOf(await accept(experts[0], bid.id))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(errorOf(await accept(await makeAdmin(t), bid.id))).toMatchObject({ status: 403, code: 'forbidden' });
    expect((await t.http.post(`/v1/bids/${bid.id}/accept`)).status).toBe(401);
    expect(errorOf(await accept(customer, '00000000-0000-4000-8000-000000000000'))).toMatchObject({ status: 404 });
    expect(errorOf(await accept(customer, 'not-a-uuid'))).toMatchObject({ status: 404 });
    const [row] = await t.ds.query(`SELECT status FROM help_requests WHERE id = $1`, [request.id]);
    expect(row.status).toBe('open');
  });

  it('after the payment window lapses the request is open again and another bid can be accepted', async () => {
    const request = await postRequest(t, customer);
    const a = await placeBid(t, experts[0], request.id);
    const b = await placeBid(t, experts[1], request.id);
    await acceptBid(t, customer, a.id);
    await t.ds.query(`UPDATE help_requests SET accepted_at = now() - interval '25 hours' WHERE id = $1`, [request.id]);
    expect(await lapsePaymentWindow(t, request.id)).toBe(true);
    const res = await accept(customer, b.id);
    expect(res.status).toBe(200);
    expect(res.body.request).toMatchObject({ status: 'awaiting_payment', acceptedBidId: b.id });
    expect(Object.fromEntries((await statusesOf(request.id)).map((x) => [x.id, x.status]))).toEqual({ [a.id]: 'active', [b.id]: 'accepted' });
  });
});

import { EventRetentionService } from '../../src/events/event-retention.service';
import { readsEvent } from '../../src/events/domain/event-audience';
import { acceptedDeal, fundedDeal } from '../support/deals';
import { makeAdmin, placeBid, postRequest, registerUser, TestUser } from '../support/factories';
import { actingAs, createPartner, createPartnerUser } from '../support/partners';
import { createTestApp, TestApp } from '../support/test-app';

interface Ev {
  id: string;
  type: string;
  requestId: string;
  sequence: number;
  data: { object: Record<string, unknown> };
}

/** GET /v1/events: each audience reads its own events, in its own view (API1, API3). */
describe('GET /v1/events', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());

  async function all(headers: Record<string, string>, query = ''): Promise<Ev[]> {
    const out: Ev[] = [];
    let cursor: string | null = null;
    for (let more = true; more; ) {
      const res: { body: { data: Ev[]; hasMore: boolean; nextCursor: string | null } } = await t.http.get(`/v1/events?limit=7${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).set(headers).expect(200);
      out.push(...res.body.data);
      cursor = res.body.nextCursor;
      more = res.body.hasMore;
    }
    return out;
  }
  const as = (user: TestUser) => ({ authorization: user.auth });

  it('API1 every audience reads exactly what the audience rules allow, oldest first, with nothing private in any object', async () => {
    const loser = await registerUser(t, 'expert');
    const deal = await fundedDeal(t, { otherBidders: [loser] });
    const stranger = await registerUser(t, 'expert');
    const rows = (await t.ds.query(`SELECT id, type, customer_id, expert_id FROM events WHERE request_id = $1 ORDER BY position`, [deal.requestId])) as Array<{ id: string; type: string; customer_id: string; expert_id: string | null }>;
    const expected = (audience: 'customer' | 'expert', user: TestUser, bid: boolean) =>
      rows.filter((r) => readsEvent(audience, user.id, { type: r.type, customerId: r.customer_id, expertId: r.expert_id }, bid)).map((r) => r.id);
    const mine = (events: Ev[]) => events.filter((e) => e.requestId === deal.requestId).map((e) => e.id);

    const customerSees = await all(as(deal.customer));
    expect(mine(customerSees)).toEqual(expected('customer', deal.customer, false));
    expect(mine(await all(as(deal.expert)))).toEqual(expected('expert', deal.expert, true));
    const loserSees = await all(as(loser));
    expect(mine(loserSees)).toEqual(expected('expert', loser, true));
    expect(mine(await all(as(stranger)))).toEqual([]);
    expect(mine(await all(as(admin)))).toEqual(rows.map((r) => r.id));

    // Never another expert's bid; the loser sees its own bid and the request's own events.
    expect(loserSees.filter((e) => e.type.startsWith('bid.')).every((e) => e.data.object.expertId === loser.id)).toBe(true);
    expect(loserSees.some((e) => e.type.startsWith('escrow.'))).toBe(false);
    // Oldest first, sequences increasing per request.
    const seqs = customerSees.filter((e) => e.requestId === deal.requestId).map((e) => e.sequence);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    // API3: no client secret anywhere, the expert never sees the customer's PaymentIntent, nobody an email.
    const expertView = await all(as(deal.expert));
    const funded = expertView.find((e) => e.type === 'escrow.funded');
    expect(funded?.data.object).toMatchObject({ paymentIntentId: null, clientSecret: null });
    expect(customerSees.find((e) => e.type === 'escrow.funded')?.data.object.paymentIntentId).toBe(deal.paymentIntentId);
    for (const events of [customerSees, expertView, loserSees]) {
      const text = JSON.stringify(events);
      expect(text).not.toMatch(/_secret_/);
      expect(text).not.toContain(deal.customer.email);
      expect(text).not.toContain(deal.expert.email);
    }
  });

  it('a partner reads its users\' events, each in its user\'s view, and no one else\'s', async () => {
    const partner = await createPartner(t, admin);
    const otherPartner = await createPartner(t, admin, { name: 'Other' });
    const customer = await createPartnerUser(t, partner, 'customer');
    const expert = await createPartnerUser(t, partner, 'expert');
    const request = await t.http.post('/v1/requests').set(actingAs(partner, customer)).send({ title: 'Printer offline', description: 'The office printer is offline since this morning.', category: 'printers' }).expect(201);
    const rival = await registerUser(t, 'expert');
    await placeBid(t, rival, request.body.id);
    // Its expert's bid on someone else's request: the partner sees that bid, not the request's other bids.
    const outsider = await registerUser(t, 'customer');
    const elsewhere = await postRequest(t, outsider);
    await placeBid(t, rival, elsewhere.id);
    const ownBid = await t.http.post(`/v1/requests/${elsewhere.id}/bids`).set(actingAs(partner, expert)).send({ amount: { amount: 3000, currency: 'usd' }, etaMinutes: 60, message: 'I can fix this today.' }).expect(201);

    const seen = await all({ 'x-api-key': partner.apiKey });
    expect(seen.filter((e) => e.requestId === request.body.id).map((e) => e.type)).toEqual(['request.created', 'bid.created']);
    const onElsewhere = seen.filter((e) => e.requestId === elsewhere.id);
    expect(onElsewhere.map((e) => e.type)).toEqual(['request.created', 'bid.created']);
    expect(onElsewhere.find((e) => e.type === 'bid.created')?.data.object.id).toBe(ownBid.body.id);
    expect(await all({ 'x-api-key': otherPartner.apiKey })).toEqual([]);
    // Acting for one user, the partner reads that user's feed.
    const asExpert = await all(actingAs(partner, expert));
    expect(asExpert.every((e) => e.requestId === elsewhere.id)).toBe(true);
  });

  it('?type= filters; a bad type, limit or cursor is a 400 in the envelope; cursors are stable under new events', async () => {
    const deal = await acceptedDeal(t, { onboarded: false });
    const accepted = await all(as(deal.customer), '&type=bid.accepted');
    expect(accepted.map((e) => e.type)).toEqual(['bid.accepted']);
    const bad = await t.http.get('/v1/events?type=bid.exploded').set(as(deal.customer)).expect(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_field', param: 'type' });
    await t.http.get('/v1/events?limit=101').set(as(deal.customer)).expect(400);
    await t.http.get('/v1/events?cursor=forged').set(as(deal.customer)).expect(400);
    const first = await t.http.get('/v1/events?limit=1').set(as(deal.customer)).expect(200);
    await postRequest(t, deal.customer);
    const next = await t.http.get(`/v1/events?limit=100&cursor=${encodeURIComponent(first.body.nextCursor)}`).set(as(deal.customer)).expect(200);
    expect(next.body.data[0].id).not.toBe(first.body.data[0].id);
    expect(next.body.data.map((e: Ev) => e.id)).not.toContain(first.body.data[0].id);
  });

  it('a route for users: anonymous → 401; an expert reads none of a customer\'s other requests', async () => {
    await t.http.get('/v1/events').expect(401);
  });

  it('a poller resumes: the last page keeps a cursor, and asking again with it brings only what came since', async () => {
    const customer = await registerUser(t, 'customer');
    await postRequest(t, customer);
    const last = await t.http.get('/v1/events?limit=100').set(as(customer)).expect(200);
    expect(last.body).toMatchObject({ hasMore: false, nextCursor: expect.any(String) });
    const idle = await t.http.get(`/v1/events?cursor=${encodeURIComponent(last.body.nextCursor)}`).set(as(customer)).expect(200);
    expect(idle.body).toEqual({ data: [], hasMore: false, nextCursor: last.body.nextCursor });
    const later = await postRequest(t, customer);
    const resumed = await t.http.get(`/v1/events?cursor=${encodeURIComponent(idle.body.nextCursor)}`).set(as(customer)).expect(200);
    expect(resumed.body.data.map((e: Ev) => [e.type, e.requestId])).toEqual([['request.created', later.id]]);
  });
});

describe('event retention', () => {
  it('events and their deliveries older than EVENT_RETENTION_DAYS are deleted by the retention job; younger ones stay', async () => {
    const t = await createTestApp({ eventRetentionDays: 30 });
    try {
      const customer = await registerUser(t, 'customer');
      const [old, young] = [await postRequest(t, customer), await postRequest(t, customer)];
      await t.ds.query(`UPDATE events SET created_at = now() - interval '31 days' WHERE request_id = $1`, [old.id]);
      await t.ds.query(`UPDATE events SET created_at = now() - interval '29 days' WHERE request_id = $1`, [young.id]);
      expect(await t.app.get(EventRetentionService).prune()).toBe(1);
      const left = await t.ds.query(`SELECT request_id FROM events WHERE request_id = ANY($1)`, [[old.id, young.id]]);
      expect(left.map((r: { request_id: string }) => r.request_id)).toEqual([young.id]);
    } finally {
      await t.close();
    }
  });
});

import { verifySignature } from '../../src/webhooks/domain/webhook-signature';
import { fundedDeal } from '../support/deals';
import { makeAdmin, postRequest, registerUser, TestUser, validRequest } from '../support/factories';
import { actingAs, createPartner, createPartnerUser, TestPartner } from '../support/partners';
import { Receiver } from '../support/receiver';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

/** Webhooks out (W5, W6, F5, A4): endpoints, signed deliveries, retries, pings, rotation, disabling. */
describe('webhook endpoints and deliveries', () => {
  let t: TestApp;
  let admin: TestUser;
  let partner: TestPartner;
  let receiver: Receiver;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
    partner = await createPartner(t, admin);
    receiver = await new Receiver().start();
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  const key = (p: TestPartner = partner) => ({ 'x-api-key': p.apiKey });
  async function endpointFor(p: TestPartner, url = receiver.url, events: string[] = ['*']): Promise<{ id: string; secret: string }> {
    const res = await t.http.post('/v1/webhook-endpoints').set(key(p)).send({ url, events }).expect(201);
    return { id: res.body.id, secret: res.body.secret };
  }
  const deliveryOf = async (endpointId: string, eventId: string) =>
    (await t.ds.query(`SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 AND event_id = $2`, [endpointId, eventId]))[0] as Record<string, unknown> | undefined;

  it('W6 create shows a whsec_ secret once; list and get never do; another partner\'s endpoint is 404 (A4)', async () => {
    const other = await createPartner(t, admin, { name: 'Other' });
    const created = await t.http.post('/v1/webhook-endpoints').set(key()).send({ url: receiver.url, events: ['*'] }).expect(201);
    expect(created.body).toMatchObject({ url: receiver.url, events: ['*'], enabled: true, disabledReason: null });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32,}$/);
    const got = await t.http.get(`/v1/webhook-endpoints/${created.body.id}`).set(key()).expect(200);
    const listed = await t.http.get('/v1/webhook-endpoints').set(key()).expect(200);
    expect(JSON.stringify([got.body, listed.body])).not.toContain(created.body.secret);
    // Stored sealed, not in clear.
    expect(JSON.stringify(await t.ds.query(`SELECT * FROM webhook_endpoints WHERE id = $1`, [created.body.id]))).not.toContain(created.body.secret);
    for (const path of ['', '/deliveries', '/test', '/rotate-secret']) {
      const method = path === '/test' || path === '/rotate-secret' ? 'post' : 'get';
      await t.http[method](`/v1/webhook-endpoints/${created.body.id}${path}`).set(key(other)).expect(404);
    }
    await t.http.patch(`/v1/webhook-endpoints/${created.body.id}`).set(key(other)).send({ enabled: false }).expect(404);
    await t.http.delete(`/v1/webhook-endpoints/${created.body.id}`).set(key(other)).expect(404);
    await t.http.delete(`/v1/webhook-endpoints/${created.body.id}`).set(key()).expect(204);
    // A customer's token does not reach webhook endpoints; a bad body is a 400 naming the field.
    const customer = await registerUser(t, 'customer');
    await t.http.get('/v1/webhook-endpoints').set('authorization', customer.auth).expect(403);
    expect((await t.http.post('/v1/webhook-endpoints').set(key()).send({ url: 'ftp://x.example/', events: ['*'] }).expect(400)).body.error.param).toBe('url');
    expect((await t.http.post('/v1/webhook-endpoints').set(key()).send({ url: receiver.url, events: ['bid.exploded'] }).expect(400)).body.error.param).toBe('events');
  });

  it('W5 an event reaches the endpoint within a second of its commit, signed over the raw body, the contract\'s shape, the event id in a header', async () => {
    const { id: endpointId, secret } = await endpointFor(partner);
    const customer = await createPartnerUser(t, partner, 'customer');
    const before = Date.now();
    const posted = await t.http.post('/v1/requests').set(actingAs(partner, customer)).send(validRequest()).expect(201);
    const got = await waitFor('the request.created webhook', async () => receiver.received.find((r) => r.json.requestId === posted.body.id));
    expect(got.at - before).toBeLessThan(1000);
    expect(got.json).toMatchObject({ type: 'request.created', requestId: posted.body.id, sequence: 1, data: { object: { id: posted.body.id, status: 'open' } } });
    expect(got.headers['fixbid-event-id']).toBe(got.json.id);
    expect(got.headers['content-type']).toBe('application/json');
    expect(verifySignature(String(got.headers['fixbid-signature']), secret, got.body, Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifySignature(String(got.headers['fixbid-signature']), secret, got.body.replace('open', 'done'), Math.floor(Date.now() / 1000))).toBe(false);
    const [event] = await t.ds.query(`SELECT id FROM events WHERE request_id = $1 AND type = 'request.created'`, [posted.body.id]);
    expect(got.json.id).toBe(event.id);
    await waitFor('delivered', async () => (await deliveryOf(endpointId, event.id))?.status === 'delivered');
    await t.http.delete(`/v1/webhook-endpoints/${endpointId}`).set(key()).expect(204);
  });

  it('F5 500, 500, then 200: each attempt logged (status, duration, next retry), the same event id every time with a fresh signature', async () => {
    const p = await createPartner(t, admin, { name: 'Flaky' });
    const { id: endpointId, secret } = await endpointFor(p);
    const customer = await createPartnerUser(t, p, 'customer');
    receiver.replies.push({ status: 500 }, { status: 500 });
    const posted = await t.http.post('/v1/requests').set(actingAs(p, customer)).send(validRequest()).expect(201);
    const [event] = await t.ds.query(`SELECT id FROM events WHERE request_id = $1`, [posted.body.id]);
    await waitFor('first attempt', async () => (await deliveryOf(endpointId, event.id))?.last_status_code === 500);
    const after1 = await t.http.get(`/v1/webhook-endpoints/${endpointId}/deliveries`).set(key(p)).expect(200);
    expect(after1.body.data[0]).toMatchObject({ eventId: event.id, status: 'pending', attempts: 1, lastStatusCode: 500, lastError: null });
    expect(after1.body.data[0].lastDurationMs).toBeGreaterThanOrEqual(0);
    const nextAt = Date.parse(after1.body.data[0].nextAttemptAt);
    expect(nextAt - Date.now()).toBeGreaterThan(2000); // about 5 s, with jitter
    expect((await t.http.get(`/v1/webhook-endpoints/${endpointId}`).set(key(p)).expect(200)).body.failingSince).not.toBeNull();
    for (const attempt of [2, 3]) {
      await t.ds.query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE endpoint_id = $1`, [endpointId]);
      await waitFor(`attempt ${attempt}`, async () => Number((await deliveryOf(endpointId, event.id))?.attempts) === attempt && !(await deliveryOf(endpointId, event.id))?.lease_until);
    }
    const done = await deliveryOf(endpointId, event.id);
    expect(done).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 200 });
    const seen = receiver.of(event.id);
    expect(seen).toHaveLength(3);
    for (const r of seen) expect(verifySignature(String(r.headers['fixbid-signature']), secret, r.body, Math.floor(Date.now() / 1000))).toBe(true);
    expect((await t.http.get(`/v1/webhook-endpoints/${endpointId}`).set(key(p)).expect(200)).body.failingSince).toBeNull();
  });

  it('F5 a 302 is never followed (a failed attempt), a huge answer is read no further than 4 KiB, a hang times out at 10 s', async () => {
    const target = await new Receiver().start();
    try {
      const p = await createPartner(t, admin, { name: 'Odd answers' });
      const { id: endpointId } = await endpointFor(p);
      const customer = await createPartnerUser(t, p, 'customer');
      receiver.replies.push({ status: 302, location: target.url }, 'huge', 'hang');
      const expected = [
        { status: 'pending', last_status_code: 302, last_error: 'redirect_not_followed' },
        { status: 'delivered', last_status_code: 200 },
        { status: 'pending', last_error: 'timeout' },
      ];
      for (const [i, outcome] of expected.entries()) {
        const posted = await t.http.post('/v1/requests').set(actingAs(p, customer)).send(validRequest()).expect(201);
        const [{ id }] = await t.ds.query(`SELECT id FROM events WHERE request_id = $1`, [posted.body.id]);
        // The first attempt's outcome (a failed one is retried some seconds later).
        const first = await waitFor(`attempt of event ${i}`, async () => {
          const row = await deliveryOf(endpointId, id);
          return Number(row?.attempts) === 1 && !row?.lease_until ? row : undefined;
        }, 15_000);
        expect(first).toMatchObject(outcome);
        if (i === 2) expect(Number(first.last_duration_ms)).toBeGreaterThanOrEqual(9_500);
      }
      expect(target.received).toHaveLength(0);
    } finally {
      await target.stop();
    }
  });

  it('one dead endpoint does not hold back the others: its attempts hang, another endpoint of the same events gets them at once', async () => {
    const dead = await new Receiver('hang').start();
    try {
      const p = await createPartner(t, admin, { name: 'Two endpoints' });
      await endpointFor(p, dead.url);
      const { id: liveId } = await endpointFor(p);
      const customers = [await createPartnerUser(t, p, 'customer'), await createPartnerUser(t, p, 'customer')];
      const started = Date.now();
      const posted = await Promise.all(Array.from({ length: 30 }, (_, i) => t.http.post('/v1/requests').set(actingAs(p, customers[i % 2])).send(validRequest()).expect(201)));
      const ids = (await t.ds.query(`SELECT id FROM events WHERE request_id = ANY($1)`, [posted.map((r) => r.body.id)])).map((r: { id: string }) => r.id as string);
      await waitFor('the live endpoint has them all', async () => ids.every((id: string) => receiver.of(id).length === 1), 8_000);
      expect(Date.now() - started).toBeLessThan(8_000); // well inside the dead endpoint's 10 s timeout
      const delivered = await t.ds.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'delivered'`, [liveId]);
      expect(delivered[0].n).toBe(30);
      expect(dead.received.length).toBeGreaterThan(0);
    } finally {
      await dead.stop();
    }
  });

  it('a ping: requestId null, sequence 0, not in GET /v1/events; a delivered delivery can be sent again (receivers dedupe by id)', async () => {
    const p = await createPartner(t, admin, { name: 'Pinger' });
    const { id: endpointId, secret } = await endpointFor(p);
    const ping = await t.http.post(`/v1/webhook-endpoints/${endpointId}/test`).set(key(p)).expect(202);
    const got = await waitFor('the ping', async () => receiver.of(ping.body.eventId)[0]);
    expect(got.json).toMatchObject({ type: 'ping', requestId: null, sequence: 0, data: { object: { endpointId } } });
    expect(verifySignature(String(got.headers['fixbid-signature']), secret, got.body, Math.floor(Date.now() / 1000))).toBe(true);
    expect((await t.http.get('/v1/events').set(key(p)).expect(200)).body.data.map((e: { type: string }) => e.type)).not.toContain('ping');
    await waitFor('delivered', async () => (await deliveryOf(endpointId, ping.body.eventId))?.status === 'delivered');
    await t.http.post(`/v1/webhook-endpoints/${endpointId}/deliveries/${ping.body.id}/retry`).set(key(p)).expect(202);
    await waitFor('sent again', async () => receiver.of(ping.body.eventId).length === 2);
    expect(new Set(receiver.of(ping.body.eventId).map((r) => r.json.id)).size).toBe(1);
    await t.http.post(`/v1/webhook-endpoints/${endpointId}/deliveries/00000000-0000-4000-8000-000000000000/retry`).set(key(p)).expect(404);
  });

  it('rotate-secret: the new secret once; for 24 h both secrets sign (two v1=), each verifies', async () => {
    const p = await createPartner(t, admin, { name: 'Rotator' });
    const { id: endpointId, secret: old } = await endpointFor(p);
    const rotated = await t.http.post(`/v1/webhook-endpoints/${endpointId}/rotate-secret`).set(key(p)).expect(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(old);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    const ping = await t.http.post(`/v1/webhook-endpoints/${endpointId}/test`).set(key(p)).expect(202);
    const got = await waitFor('the ping', async () => receiver.of(ping.body.eventId)[0]);
    const header = String(got.headers['fixbid-signature']);
    expect(header.match(/v1=/g)).toHaveLength(2);
    const now = Math.floor(Date.now() / 1000);
    expect(verifySignature(header, old, got.body, now)).toBe(true);
    expect(verifySignature(header, rotated.body.secret, got.body, now)).toBe(true);
  });

  it('an endpoint failing for 3 days is disabled and says so; PATCH enabled: true turns it back on', async () => {
    const p = await createPartner(t, admin, { name: 'Dead' });
    const { id: endpointId } = await endpointFor(p);
    await t.ds.query(`UPDATE webhook_endpoints SET failing_since = now() - interval '3 days 1 minute' WHERE id = $1`, [endpointId]);
    receiver.replies.push({ status: 503 });
    const ping = await t.http.post(`/v1/webhook-endpoints/${endpointId}/test`).set(key(p)).expect(202);
    await waitFor('attempted', async () => Number((await deliveryOf(endpointId, ping.body.eventId))?.attempts) === 1 && !(await deliveryOf(endpointId, ping.body.eventId))?.lease_until);
    const disabled = await t.http.get(`/v1/webhook-endpoints/${endpointId}`).set(key(p)).expect(200);
    expect(disabled.body).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/3 days/) });
    const enabled = await t.http.patch(`/v1/webhook-endpoints/${endpointId}`).set(key(p)).send({ enabled: true }).expect(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
  });

  it('an admin\'s endpoint receives every event, in the admin\'s view; a partner\'s only its users\', in their view', async () => {
    const p = await createPartner(t, admin, { name: 'Viewer' });
    const adminEndpoint = await t.http.post('/v1/webhook-endpoints').set('authorization', admin.auth).send({ url: receiver.url, events: ['escrow.funded'] }).expect(201);
    const partnerEndpoint = await endpointFor(p, receiver.url, ['escrow.funded', 'bid.created']);
    const expert = await createPartnerUser(t, p, 'expert');
    await t.http.put('/v1/experts/me/profile').set(actingAs(p, expert)).send({ headline: 'Fixes computers quickly', bio: 'Years of help-desk work.', skills: ['windows'], languages: ['en'], available: true }).expect(200);
    const stranger = await registerUser(t, 'customer');
    const unrelated = await postRequest(t, stranger);
    const deal = await fundedDeal(t, { onboarded: false });
    const [funded] = await t.ds.query(`SELECT id FROM events WHERE request_id = $1 AND type = 'escrow.funded'`, [deal.requestId]);
    await waitFor('the admin\'s copy', async () => (await deliveryOf(adminEndpoint.body.id, funded.id))?.status === 'delivered');
    const adminCopy = receiver.of(funded.id)[0];
    expect(adminCopy.json.data.object).toMatchObject({ paymentIntentId: deal.paymentIntentId, clientSecret: null });
    expect(await deliveryOf(partnerEndpoint.id, funded.id)).toBeUndefined();
    // The partner's expert bids on an outsider's request: the partner hears of its own bid, in the expert's view.
    const bid = await t.http.post(`/v1/requests/${unrelated.id}/bids`).set(actingAs(p, expert)).send({ amount: { amount: 2000, currency: 'usd' }, etaMinutes: 60, message: 'I can fix this today.' }).expect(201);
    const [bidEvent] = await t.ds.query(`SELECT id FROM events WHERE request_id = $1 AND type = 'bid.created'`, [unrelated.id]);
    const copy = await waitFor('the partner\'s copy', async () => receiver.of(bidEvent.id)[0]);
    expect(copy.json.data.object).toMatchObject({ id: bid.body.id, expertId: expert.id });
    expect(await deliveryOf(adminEndpoint.body.id, bidEvent.id)).toBeUndefined(); // the admin subscribed to escrow.funded only
  });
});

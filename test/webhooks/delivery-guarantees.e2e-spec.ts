import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.service';
import { makeAdmin, validRequest } from '../support/factories';
import { actingAs, createPartner, createPartnerUser } from '../support/partners';
import { Receiver } from '../support/receiver';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(90_000);

/** At least once, never the same attempt twice: two processes, a restart, a process killed mid-delivery (F6). */
describe('webhook delivery guarantees', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await new Receiver().start();
  });
  afterAll(() => receiver.stop());

  async function partnerWithEndpoint(t: TestApp) {
    const admin = await makeAdmin(t);
    const partner = await createPartner(t, admin);
    const endpoint = await t.http.post('/v1/webhook-endpoints').set('x-api-key', partner.apiKey).send({ url: receiver.url, events: ['*'] }).expect(201);
    const customer = await createPartnerUser(t, partner, 'customer');
    return { partner, customer, endpointId: endpoint.body.id as string };
  }

  it('two server processes on one database: every event delivered exactly once per endpoint (one attempt each)', async () => {
    const first = await createTestApp();
    const second = await createTestApp({}, { databaseUrl: first.databaseUrl, shareSandboxWith: first });
    try {
      const { partner, customer, endpointId } = await partnerWithEndpoint(first);
      // Three customers: one may post 20 requests an hour.
      const customers = [customer, await createPartnerUser(first, partner, 'customer'), await createPartnerUser(first, partner, 'customer')];
      const posts = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? first : second).http.post('/v1/requests').set(actingAs(partner, customers[i % 3])).send(validRequest())),
      );
      expect(posts.every((p) => p.status === 201)).toBe(true);
      const ids = (await first.ds.query(`SELECT id FROM events WHERE request_id = ANY($1)`, [posts.map((p) => p.body.id)])).map((r: { id: string }) => r.id);
      expect(ids).toHaveLength(30);
      await waitFor('all delivered', async () => ids.every((id: string) => receiver.of(id).length >= 1));
      await new Promise((r) => setTimeout(r, 300)); // room for a wrong second send to show up
      expect(ids.map((id: string) => receiver.of(id).length)).toEqual(ids.map(() => 1));
      const rows = await first.ds.query(`SELECT status, attempts FROM webhook_deliveries WHERE endpoint_id = $1`, [endpointId]);
      expect(rows).toHaveLength(30);
      expect(rows.every((r: { status: string; attempts: number }) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('F6 events committed while no process dispatches (killed after the outbox insert) are delivered after a restart, with the same ids', async () => {
    const down = await createTestApp({ jobs: { pollSeconds: 0.5, workers: false } });
    const { partner, customer } = await partnerWithEndpoint(down);
    const posted = await Promise.all([1, 2, 3].map(() => down.http.post('/v1/requests').set(actingAs(partner, customer)).send(validRequest()).expect(201)));
    const ids: string[] = (await down.ds.query(`SELECT id FROM events WHERE request_id = ANY($1)`, [posted.map((p) => p.body.id)])).map((r: { id: string }) => r.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(ids.map((id) => receiver.of(id).length)).toEqual([0, 0, 0]);
    const url = down.databaseUrl;
    await down.close();
    const up = await createTestApp({}, { databaseUrl: url });
    try {
      await waitFor('delivered after the restart', async () => ids.every((id) => receiver.of(id).length === 1));
    } finally {
      await up.close();
    }
  });

  it('F6 an attempt whose process died mid-send (its lease held) is sent again once the lease runs out, once', async () => {
    const down = await createTestApp({ jobs: { pollSeconds: 0.5, workers: false } });
    const { partner, customer, endpointId } = await partnerWithEndpoint(down);
    const posted = await down.http.post('/v1/requests').set(actingAs(partner, customer)).send(validRequest()).expect(201);
    const [{ id: eventId }] = await down.ds.query(`SELECT id FROM events WHERE request_id = $1`, [posted.body.id]);
    await down.app.get(WebhookDispatcher).fanOut();
    // As a sender leaves it when it dies after claiming: one attempt counted, the lease still running.
    // The lease is measured from here: a slow restart (a loaded machine) must not eat the window
    // in which the test checks that nothing is sent.
    const [{ lease_until: leaseUntil }] = await down.ds.query(
      `UPDATE webhook_deliveries SET attempts = 1, first_attempt_at = now(), last_attempt_at = now(), lease_until = now() + interval '5 seconds'
        WHERE endpoint_id = $1 RETURNING lease_until`,
      [endpointId],
    );
    const url = down.databaseUrl;
    await down.close();
    const up = await createTestApp({}, { databaseUrl: url });
    try {
      const beforeExpiry = new Date(leaseUntil).getTime() - Date.now() - 500;
      await new Promise((r) => setTimeout(r, Math.max(0, beforeExpiry)));
      if (beforeExpiry > 0) expect(receiver.of(eventId)).toHaveLength(0); // the lease still holds it
      await waitFor('sent after the lease', async () => receiver.of(eventId).length === 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.of(eventId)).toHaveLength(1);
      const [row] = await up.ds.query(`SELECT status, attempts FROM webhook_deliveries WHERE endpoint_id = $1`, [endpointId]);
      expect(row).toEqual({ status: 'delivered', attempts: 2 });
    } finally {
      await up.close();
    }
  });
});

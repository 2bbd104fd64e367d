import { connect } from 'node:net';
import { ConnectTarget } from '../../src/webhooks/webhook-sender';
import { makeAdmin, TestUser } from '../support/factories';
import { createPartner, TestPartner } from '../support/partners';
import { Receiver } from '../support/receiver';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/**
 * W7, B9 in production mode, with the resolver and the connect step injected: nothing here sends a
 * packet to a private, loopback, link-local or metadata address. "Public" names resolve to a
 * public address; the fake connect step then carries the bytes to a local receiver, and records
 * which address it was asked for — always the one that was checked.
 */
describe('webhook urls in production (SSRF guard)', () => {
  let t: TestApp;
  let admin: TestUser;
  let partner: TestPartner;
  let receiver: Receiver;
  const dns = new Map<string, string[]>([
    ['partner.example', ['93.184.216.34']],
    ['internal.example', ['10.0.0.5']],
    ['meta.example', ['169.254.169.254']],
    ['mixed.example', ['93.184.216.34', '192.168.1.1']],
  ]);
  const connects: ConnectTarget[] = [];

  beforeAll(async () => {
    receiver = await new Receiver().start();
    const port = Number(new URL(receiver.url).port);
    t = await createTestApp(
      { nodeEnv: 'production' },
      {
        webhookNetwork: {
          resolver: async (host) => (dns.get(host) ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
          connect: (target) => {
            connects.push(target);
            // A plain socket to the local receiver stands in for the checked public address (the fake DNS's).
            return connect({ host: '127.0.0.1', port });
          },
        },
      },
    );
    admin = await makeAdmin(t);
    partner = await createPartner(t, admin);
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  const create = (url: string) => t.http.post('/v1/webhook-endpoints').set('x-api-key', partner.apiKey).send({ url, events: ['*'] });

  it.each([
    ['http://169.254.169.254/', 'plain http, the metadata address'],
    ['https://169.254.169.254/latest/meta-data', 'the metadata address'],
    ['https://127.0.0.1:5432/', 'loopback'],
    ['https://10.0.0.1/', 'private'],
    ['https://[::1]/', 'IPv6 loopback'],
    ['https://[::ffff:127.0.0.1]/', 'IPv4-mapped loopback'],
    ['https://localhost/', 'localhost'],
    ['https://internal.example/', 'a name resolving to 10.x'],
    ['https://meta.example/', 'a name resolving to the metadata address'],
    ['https://mixed.example/', 'a name with one private address among public ones'],
    ['http://partner.example/', 'plain http to a public name'],
    ['https://nowhere.example/', 'a name that does not resolve'],
  ])('B9 %s (%s) → 400 invalid_field on url, on create and on a url change', async (url) => {
    const res = await create(url).expect(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_field', param: 'url' });
    const ok = await create('https://partner.example/hooks').expect(201);
    const changed = await t.http.patch(`/v1/webhook-endpoints/${ok.body.id}`).set('x-api-key', partner.apiKey).send({ url }).expect(400);
    expect(changed.body.error.param).toBe('url');
    await t.http.delete(`/v1/webhook-endpoints/${ok.body.id}`).set('x-api-key', partner.apiKey).expect(204);
  });

  it('W7 delivery connects to the address it checked; a name that turns private after create (DNS rebinding) is refused at delivery, no packet sent', async () => {
    const good = await create('https://partner.example/hooks').expect(201);
    connects.length = 0;
    const ping = await t.http.post(`/v1/webhook-endpoints/${good.body.id}/test`).set('x-api-key', partner.apiKey).expect(202);
    await waitFor('the connect step', async () => connects.length > 0);
    expect(connects[0]).toMatchObject({ address: '93.184.216.34', port: 443, hostname: 'partner.example', tls: true });
    void ping;

    dns.set('rebind.example', ['93.184.216.34']);
    const rebinding = await create('https://rebind.example/hooks').expect(201);
    dns.set('rebind.example', ['127.0.0.1']);
    connects.length = 0;
    const probe = await t.http.post(`/v1/webhook-endpoints/${rebinding.body.id}/test`).set('x-api-key', partner.apiKey).expect(202);
    const row = await waitFor('the refused attempt', async () => {
      const [d] = await t.ds.query(`SELECT * FROM webhook_deliveries WHERE id = $1`, [probe.body.id]);
      return Number(d.attempts) === 1 && !d.lease_until ? d : undefined;
    });
    expect(row.last_error).toMatch(/^refused_address: loopback/);
    expect(connects).toEqual([]);
  });

  it('B9 a 302 to the metadata address is a failed attempt, never followed: one connection, to the checked public address', async () => {
    const good = await create('https://partner.example/hooks').expect(201);
    receiver.replies.push({ status: 302, location: 'http://169.254.169.254/latest/meta-data/' });
    connects.length = 0;
    const ping = await t.http.post(`/v1/webhook-endpoints/${good.body.id}/test`).set('x-api-key', partner.apiKey).expect(202);
    const row = await waitFor('the attempt', async () => {
      const [d] = await t.ds.query(`SELECT * FROM webhook_deliveries WHERE id = $1`, [ping.body.id]);
      return Number(d.attempts) === 1 && !d.lease_until ? d : undefined;
    });
    expect(row).toMatchObject({ status: 'pending', last_status_code: 302, last_error: 'redirect_not_followed' });
    expect(connects.map((c) => c.address)).toEqual(['93.184.216.34']);
    expect(receiver.of(ping.body.eventId)).toHaveLength(1);
  });
});

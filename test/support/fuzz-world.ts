import { connect } from 'node:net';
import fc from 'fast-check';
import { WebhookNetwork } from '../../src/webhooks/webhook-network';
import { fundedDeal } from './deals';
import { disputeIdOf } from './inspect';
import { createProfile, makeAdmin, PASSWORD, placeBid, postRequest, registerUser } from './factories';
import { createPartner, createPartnerUser } from './partners';
import { Receiver } from './receiver';
import { KnownValues } from './schema-arbitraries';
import { TestApp } from './test-app';
import { waitFor } from './wait';

/**
 * A small marketplace for a fuzzer to aim at: every kind of caller, and real ids of every
 * resource a path names (requests in several states, bids, an expert, a dispute, a partner with
 * keys, a webhook endpoint with a delivery), so generated calls reach past "not found".
 */
export type CallerKind = 'customer' | 'expert' | 'admin' | 'partnerAsCustomer' | 'partnerKey';

export interface FuzzWorld {
  callers: Record<CallerKind, Record<string, string>>;
  /** Real ids by the path segment that names them: `requests` → help request ids, `keys` → API key ids, … */
  ids: Record<string, string[]>;
  /** Real values by field or query name: an account to log in to, its refresh tokens, fresh emails, cursors of real pages. */
  values: KnownValues;
}

/** Webhooks of endpoints the fuzzer creates go nowhere real: every name resolves to a public address, every connection lands on `receiver`. */
export function localWebhookNetwork(receiver: Receiver): WebhookNetwork {
  return {
    resolver: async () => [{ address: '93.184.216.34', family: 4 }],
    connect: () => connect({ host: '127.0.0.1', port: Number(new URL(receiver.url).port) }),
  };
}

export async function seedFuzzWorld(t: TestApp, receiver: Receiver): Promise<FuzzWorld> {
  const admin = await makeAdmin(t);
  const partner = await createPartner(t, admin, { name: 'Fuzz Partner', revenueShareBps: 1000 });
  const spareKey = await t.http.post(`/v1/admin/partners/${partner.id}/keys`).set('authorization', admin.auth).expect(201);
  const partnerCustomer = await createPartnerUser(t, partner, 'customer');
  const customer = await registerUser(t, 'customer');
  const expert = await registerUser(t, 'expert');
  await createProfile(t, expert, ['windows', 'networking']);
  // Suspend and unsuspend aim at a bystander, so the fuzzer does not lock its own callers out;
  // logins, refreshes and logouts use an account of their own.
  const bystander = await registerUser(t, 'customer');
  const account = await registerUser(t, 'customer');
  const refreshTokens = [account.refreshToken];
  for (let i = 0; i < 3; i += 1) {
    refreshTokens.push((await t.http.post('/v1/auth/login').send({ email: account.email, password: PASSWORD }).expect(200)).body.refreshToken);
  }

  const funded = await fundedDeal(t, { customer, expert });
  const disputed = await fundedDeal(t, { customer, expert });
  await t.http.post(`/v1/requests/${disputed.requestId}/dispute`).set('authorization', customer.auth).send({ reason: 'Nothing was fixed at all.' }).expect(201);
  const open = await postRequest(t, customer);
  const bid = await placeBid(t, expert, open.id);
  const bare = await postRequest(t, customer, { title: 'Printer prints blank pages' });
  const partnerRequest = await t.http.post('/v1/requests').set({ 'x-api-key': partner.apiKey, 'x-on-behalf-of': partnerCustomer.id })
    .send({ title: 'Router drops the connection', description: 'Every evening the router drops wifi for minutes.', category: 'networking' }).expect(201);

  const endpoint = await t.http.post('/v1/webhook-endpoints').set('x-api-key', partner.apiKey).send({ url: receiver.url, events: ['*'] }).expect(201);
  await t.http.post(`/v1/webhook-endpoints/${endpoint.body.id}/test`).set('x-api-key', partner.apiKey).expect(202);
  const deliveryId = await waitFor('the ping delivery', async () => {
    const rows = (await t.ds.query(`SELECT id FROM webhook_deliveries WHERE endpoint_id = $1`, [endpoint.body.id])) as Array<{ id: string }>;
    return rows[0]?.id;
  });

  const cursors: string[] = [];
  for (const [path, headers] of [['/v1/requests', { authorization: admin.auth }], ['/v1/events', { 'x-api-key': partner.apiKey }], ['/v1/admin/partners', { authorization: admin.auth }]] as const) {
    const page = await t.http.get(path).query({ limit: 1 }).set(headers).expect(200);
    if (page.body.nextCursor) cursors.push(page.body.nextCursor);
  }

  const slugs = ((await t.http.get('/v1/categories').expect(200)).body as Array<{ slug: string }>).map((c) => c.slug);
  return {
    values: {
      category: fc.constantFrom(...slugs),
      skill: fc.constantFrom(...slugs),
      skills: fc.subarray(slugs, { minLength: 1, maxLength: 4 }),
      language: fc.constantFrom('en', 'de', 'pt'),
      languages: fc.subarray(['en', 'de', 'fr', 'pt'], { minLength: 1 }),
      email: fc.oneof(fc.constant(account.email), fc.uuid().map((id) => `fuzz-${id}@example.com`)),
      password: fc.constant(PASSWORD),
      refreshToken: fc.constantFrom(...refreshTokens),
      cursor: fc.constantFrom(...cursors),
      // A few keys again and again: replays (same body) and 422 idempotency_key_reused (another body).
      'idempotency-key': fc.constantFrom('fuzz-replay-1', 'fuzz-replay-2'),
    },
    callers: {
      customer: { authorization: customer.auth },
      expert: { authorization: expert.auth },
      admin: { authorization: admin.auth },
      partnerAsCustomer: { 'x-api-key': partner.apiKey, 'x-on-behalf-of': partnerCustomer.id },
      partnerKey: { 'x-api-key': partner.apiKey },
    },
    ids: {
      requests: [open.id, bare.id, funded.requestId, disputed.requestId, partnerRequest.body.id],
      bids: [bid.id, funded.bidId, disputed.bidId],
      experts: [expert.id],
      users: [bystander.id],
      partners: [partner.id],
      keys: [spareKey.body.key.id],
      disputes: [await disputeIdOf(t, disputed.requestId)],
      'webhook-endpoints': [endpoint.body.id],
      deliveries: [deliveryId],
    },
  };
}

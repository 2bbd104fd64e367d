import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { createFixbidClient, FixbidClient, Schemas } from '../client';
import { verifyFixbidSignature } from './verify-signature';

/**
 * npm run example:partner — a partner's integration, end to end, against a running `npm start`:
 * a key, a signed-webhook receiver, a customer and an expert acting through the partner's key
 * (X-On-Behalf-Of), a request posted, bid on, accepted and paid in the Stripe sandbox, and the
 * signed events printed in `sequence` order. Every API call goes through the typed client.
 *
 *   FIXBID_URL             the API (default http://localhost:3000)
 *   FIXBID_API_KEY         a partner key; without it an admin creates a partner:
 *   FIXBID_ADMIN_EMAIL     (default admin@example.com, as in the README's "Creating an admin")
 *   FIXBID_ADMIN_PASSWORD  (default 'a long admin password')
 *   STRIPE_SANDBOX_PORT    the server's Stripe emulator (default 12111)
 *   EXAMPLE_TIMEOUT_SECONDS how long to wait for the webhooks (default 30)
 */
const baseUrl = (process.env.FIXBID_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
const sandboxPort = Number(process.env.STRIPE_SANDBOX_PORT ?? 12111);
const timeoutMs = 1000 * Number(process.env.EXAMPLE_TIMEOUT_SECONDS ?? 30);
const tag = randomBytes(4).toString('hex');

type FixbidEvent = Schemas['EventResponse'];

/** A failure whose message is the whole story (no stack trace). */
class ExampleError extends Error {}

/** The data of a typed call, or an error naming the call, the status and the envelope's code. */
async function ok<T>(what: string, call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (data === undefined) throw new ExampleError(`${what} → ${response.status} ${JSON.stringify(error)}`);
  return data;
}

/** FIXBID_API_KEY, or a new partner created by the admin of the README's quick start. */
async function partnerKey(): Promise<string> {
  if (process.env.FIXBID_API_KEY) return process.env.FIXBID_API_KEY;
  const email = process.env.FIXBID_ADMIN_EMAIL ?? 'admin@example.com';
  const password = process.env.FIXBID_ADMIN_PASSWORD ?? 'a long admin password';
  const login = await createFixbidClient({ baseUrl }).POST('/v1/auth/login', { body: { email, password } });
  if (!login.data || login.data.user.role !== 'admin') {
    throw new ExampleError(
      `No partner key: set FIXBID_API_KEY, or create an admin with \`npm run admin:create -- --email ${email} --password '${password}'\` ` +
        `(or point FIXBID_ADMIN_EMAIL and FIXBID_ADMIN_PASSWORD at yours) and run this again.`,
    );
  }
  const admin = createFixbidClient({ baseUrl, accessToken: login.data.accessToken });
  const created = await ok('POST /v1/admin/partners', admin.POST('/v1/admin/partners', { body: { name: `Example partner ${tag}` } }));
  console.log(`Admin ${email} created partner ${created.partner.id}; its key is shown once: ${created.apiKey.slice(0, 24)}…`);
  return created.apiKey;
}

/** A webhook receiver on 127.0.0.1: verifies each signature, rejects failures, dedupes by event id. */
class Receiver {
  readonly events = new Map<string, FixbidEvent>();
  duplicates = 0;
  rejected = 0;
  secret = '';
  private readonly server: Server;
  private waiters: Array<() => void> = [];

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const signature = req.headers['fixbid-signature'];
        if (typeof signature !== 'string' || !this.secret || !verifyFixbidSignature(signature, raw, this.secret)) {
          this.rejected++;
          console.log(`  ✗ rejected a delivery: bad or missing Fixbid-Signature`);
          res.writeHead(400).end();
          return;
        }
        res.writeHead(200).end(); // answer at once; a real receiver queues the work
        const event = JSON.parse(raw) as FixbidEvent;
        if (this.events.has(event.id)) {
          this.duplicates++;
          console.log(`  = ${event.type} ${event.id} again: already handled, ignored`);
        } else {
          this.events.set(event.id, event);
          console.log(`  ✓ ${event.type} (sequence ${event.sequence}), signature verified`);
        }
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/fixbid-webhooks`;
  }

  /** Resolves once `done()` holds; fails after the timeout with `missing()` in the message. */
  async until(done: () => boolean, missing: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new ExampleError(`Timed out after ${timeoutMs / 1000} s waiting for ${missing()}.`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Pays the accepted escrow in the Stripe sandbox as the customer's front-end would; false when no sandbox answers. */
async function payInSandbox(escrow: Schemas['EscrowResponse']): Promise<boolean> {
  if (!escrow.paymentIntentId || !escrow.clientSecret) return false;
  const stripe = new Stripe('pk_test_sandbox', { host: '127.0.0.1', port: sandboxPort, protocol: 'http', telemetry: false, maxNetworkRetries: 0 });
  try {
    await stripe.paymentIntents.confirm(escrow.paymentIntentId, {
      payment_method: 'pm_card_visa',
      client_secret: escrow.clientSecret,
    } as Stripe.PaymentIntentConfirmParams);
    return true;
  } catch (err) {
    if (err instanceof Stripe.errors.StripeConnectionError) return false;
    throw err;
  }
}

/** The partner's events of one request from GET /v1/events, oldest first, page by page. */
async function feedOf(fixbid: FixbidClient, requestId: string): Promise<FixbidEvent[]> {
  const events: FixbidEvent[] = [];
  let cursor: string | undefined;
  for (let more = true; more; ) {
    const page = await ok('GET /v1/events', fixbid.GET('/v1/events', { params: { query: { limit: 100, cursor } } }));
    events.push(...page.data.filter((e) => e.requestId === requestId));
    // The last page still carries a cursor, to resume from later; hasMore says whether to go on now.
    cursor = page.nextCursor ?? undefined;
    more = page.hasMore;
  }
  return events;
}

async function run(fixbid: FixbidClient, receiver: Receiver): Promise<void> {
  const url = await receiver.start();
  const endpoint = await ok('POST /v1/webhook-endpoints', fixbid.POST('/v1/webhook-endpoints', { body: { url, events: ['*'] } }));
  receiver.secret = endpoint.secret; // shown once: keep it
  console.log(`Webhook endpoint ${endpoint.id} → ${url}`);
  try {
    await flow(fixbid, receiver, endpoint.id);
  } finally {
    // A real integration keeps its endpoint; this one's receiver is about to go away.
    await fixbid.DELETE('/v1/webhook-endpoints/{id}', { params: { path: { id: endpoint.id } } });
  }
}

async function flow(fixbid: FixbidClient, receiver: Receiver, endpointId: string): Promise<void> {
  const path = { id: endpointId };
  console.log('1. A test ping, then the same delivery again by hand (the receiver dedupes by event id)');
  const ping = await ok('POST /v1/webhook-endpoints/{id}/test', fixbid.POST('/v1/webhook-endpoints/{id}/test', { params: { path } }));
  await receiver.until(() => receiver.events.has(ping.eventId), () => 'the ping');
  await ok('retry the ping', fixbid.POST('/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/retry', { params: { path: { ...path, deliveryId: ping.id } } }));
  await receiver.until(() => receiver.duplicates > 0, () => 'the ping sent again');

  console.log('2. The partner creates its users (externalId = its own id for them)');
  const customer = await ok('POST /v1/partner/users (customer)', fixbid.POST('/v1/partner/users', {
    body: { email: `carol-${tag}@partner-example.test`, displayName: 'Carol', role: 'customer', externalId: `crm-carol-${tag}` },
  }));
  const expert = await ok('POST /v1/partner/users (expert)', fixbid.POST('/v1/partner/users', {
    body: { email: `eve-${tag}@partner-example.test`, displayName: 'Eve', role: 'expert', externalId: `crm-eve-${tag}` },
  }));
  const asCustomer = { 'X-On-Behalf-Of': customer.id };
  const asExpert = { 'X-On-Behalf-Of': expert.id };
  await ok('PUT /v1/experts/me/profile', fixbid.PUT('/v1/experts/me/profile', {
    params: { header: asExpert },
    body: { headline: 'Windows boot and driver problems', bio: 'Ten years of desk-side support.', skills: ['windows'], languages: ['en'], available: true },
  }));
  console.log(`   customer ${customer.id}, expert ${expert.id} (with a profile)`);

  console.log('3. Post (as the customer) → bid (as the expert) → accept (as the customer) → pay in the sandbox');
  const request = await ok('POST /v1/requests', fixbid.POST('/v1/requests', {
    params: { header: asCustomer },
    body: {
      title: 'Laptop will not boot past the logo',
      description: 'Since this morning the machine stops at a black screen after the logo; safe mode does not help.',
      category: 'windows',
      maxBudget: { amount: 10_000, currency: 'usd' },
    },
  }));
  const bid = await ok('POST /v1/requests/{id}/bids', fixbid.POST('/v1/requests/{id}/bids', {
    params: { header: asExpert, path: { id: request.id } },
    body: { amount: { amount: 4_500, currency: 'usd' }, etaMinutes: 60, message: 'I can fix this remotely within the hour.' },
  }));
  const accepted = await ok('POST /v1/bids/{id}/accept', fixbid.POST('/v1/bids/{id}/accept', { params: { header: asCustomer, path: { id: bid.id } } }));
  const paid = await payInSandbox(accepted.escrow);
  console.log(paid ? `   escrow ${accepted.escrow.id} paid with pm_card_visa` : '   no Stripe sandbox answering: not paid (no escrow.funded)');

  const expected = ['request.created', 'bid.created', 'bid.accepted', ...(paid ? ['escrow.funded'] : [])];
  const ofRequest = () => [...receiver.events.values()].filter((e) => e.requestId === request.id);
  const missing = () => expected.filter((type) => !ofRequest().some((e) => e.type === type));
  await receiver.until(() => missing().length === 0, () => missing().join(', '));
  // The feed lists the same events (a move writes its request.updated in the same commit):
  // wait for every one of them, so nothing arrives after the summary.
  const feed = await feedOf(fixbid, request.id);
  const notYet = () => feed.filter((e) => !receiver.events.has(e.id)).map((e) => `${e.type} #${e.sequence}`);
  await receiver.until(() => notYet().length === 0, () => notYet().join(', '));
  console.log(`   GET /v1/events lists the same ${feed.length} events for this request`);

  console.log(`4. Signed events received, in sequence order per request (${receiver.duplicates} duplicate ignored, ${receiver.rejected} rejected):`);
  const byRequest = new Map<string, FixbidEvent[]>();
  for (const event of receiver.events.values()) {
    const key = event.requestId ?? '(no request)';
    byRequest.set(key, [...(byRequest.get(key) ?? []), event]);
  }
  for (const [requestId, events] of byRequest) {
    for (const e of events.sort((a, b) => a.sequence - b.sequence)) {
      console.log(`   ${e.type.padEnd(16)} sequence ${String(e.sequence).padStart(2)}  requestId ${requestId}`);
    }
  }
}

async function main(): Promise<void> {
  const ready = await createFixbidClient({ baseUrl }).GET('/health/ready').catch(() => null);
  if (!ready?.response.ok) throw new ExampleError(`Fixbid is not ready at ${baseUrl}: start it with \`npm start\` (or set FIXBID_URL).`);
  console.log(`Fixbid partner example against ${baseUrl}`);
  const fixbid = createFixbidClient({ baseUrl, apiKey: await partnerKey() });
  const receiver = new Receiver();
  try {
    await run(fixbid, receiver);
  } finally {
    await receiver.stop();
  }
  console.log('Done: every event arrived signed, deduped and in order.');
}

main().catch((err: unknown) => {
  console.error(`example:partner failed: ${err instanceof ExampleError ? err.message : (err as Error).stack}`);
  process.exit(1);
});

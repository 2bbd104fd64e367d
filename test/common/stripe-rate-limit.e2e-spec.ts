import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ExecutionContext } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { callsStripe } from '../../src/common/rate-limit/stripe-calls.decorator';
import { createProfile, makeAdmin, placeBid, postRequest, registerUser } from '../support/factories';
import { createPartner } from '../support/partners';
import { createTestApp, TestApp } from '../support/test-app';

const STRIPE_LIMIT = 3;

/**
 * The `stripe` budget (L1, API4): the routes whose service calls Stripe while the caller waits
 * share one small budget per user, so a few accounts cannot spend the platform's Stripe rate
 * limit (or burn single-use account links). Everything else keeps the ordinary budget.
 */
describe('rate limits: routes that call Stripe', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ stripeRateLimitPerMinute: STRIPE_LIMIT });
  });
  afterAll(() => t.close());

  function expectRateLimited(res: { status: number; headers: Record<string, string>; body: { error: unknown } }): void {
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.body.error).toEqual({
      type: 'rate_limit', code: 'rate_limited', message: expect.any(String), requestId: res.headers['x-request-id'],
    });
  }

  it(`L1 an expert beyond ${STRIPE_LIMIT} payout-account POSTs a minute → 429 rate_limited with Retry-After, refused before Stripe is called`, async () => {
    const expert = await registerUser(t, 'expert');
    const start = () => t.http.post('/v1/experts/me/payout-account').set('authorization', expert.auth);
    for (let i = 0; i < STRIPE_LIMIT; i++) expect([200, 201]).toContain((await start()).status);

    // With Stripe unreachable a call that got through would answer 503: the 429 comes first.
    await t.sandbox.stop();
    try {
      expectRateLimited(await start());
    } finally {
      await t.sandbox.start();
    }
    // Routes that do not call Stripe keep the ordinary budget; other experts have their own.
    await t.http.get('/v1/experts/me/payout-account').set('authorization', expert.auth).expect(200);
    await t.http.get('/v1/me').set('authorization', expert.auth).expect(200);
    const other = await registerUser(t, 'expert');
    await t.http.post('/v1/experts/me/payout-account').set('authorization', other.auth).expect(201);
  });

  it('one budget per user across every such route: three cancels, then an accept → 429 and nothing accepted', async () => {
    const customer = await registerUser(t, 'customer');
    const expert = await registerUser(t, 'expert');
    await createProfile(t, expert);
    for (let i = 0; i < STRIPE_LIMIT; i++) {
      const r = await postRequest(t, customer);
      await t.http.post(`/v1/requests/${r.id}/cancel`).set('authorization', customer.auth).expect(200);
    }
    const r = await postRequest(t, customer);
    const bid = await placeBid(t, expert, r.id);
    expectRateLimited(await t.http.post(`/v1/bids/${bid.id}/accept`).set('authorization', customer.auth));
    const [row] = await t.ds.query(`SELECT status FROM help_requests WHERE id = $1`, [r.id]);
    expect(row.status).toBe('open');
    expect(await t.ds.query(`SELECT id FROM escrows WHERE request_id = $1`, [r.id])).toEqual([]);
    // Posting, listing and bidding are not Stripe routes: still served.
    await postRequest(t, customer);
  });

  it('a partner acting alone has its own Stripe budget', async () => {
    const partner = await createPartner(t, await makeAdmin(t));
    const start = () => t.http.post('/v1/partner/payout-account').set('x-api-key', partner.apiKey);
    for (let i = 0; i < STRIPE_LIMIT; i++) expect([200, 201]).toContain((await start()).status);
    expectRateLimited(await start());
  });

  it('the routes marked as calling Stripe are the ones whose services reach the Stripe gateway in the request', () => {
    const marked: string[] = [];
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
        if (!controller) continue;
        const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = (controller.prototype as Record<string, unknown>)[name];
          if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
          const context = { getHandler: () => handler, getClass: () => controller } as unknown as ExecutionContext;
          if (!callsStripe(context)) continue;
          const path = String(Reflect.getMetadata(PATH_METADATA, handler));
          marked.push(`${RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number]} /${[base, path].filter((p) => p && p !== '/').join('/')}`);
        }
      }
    }
    expect(marked.sort()).toEqual([
      'POST /v1/admin/disputes/:id/resolve', // refund and Transfer after commit
      'POST /v1/bids/:id/accept', // PaymentIntent
      'POST /v1/experts/me/payout-account', // Express account and account link
      'POST /v1/partner/payout-account', // the same for a partner
      'POST /v1/requests/:id/cancel', // cancels the PaymentIntent of an unfunded escrow
      'POST /v1/requests/:id/review', // Transfer on release
    ]);
  });
});

import { PayoutAccount } from '../../src/payments/payout-account.entity';
import { createProfile, makeAdmin, registerUser, TestUser } from '../support/factories';
import { onboard } from '../support/deals';
import { platformStripe } from '../support/stripe';
import { createTestApp, TestApp } from '../support/test-app';

jest.setTimeout(60_000);

/** Experts' Stripe Connect Express accounts against the sandbox (contract §3 Experts, payout account). */
describe('payout accounts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const post = (user: TestUser, key?: string) => {
    const req = t.http.post('/v1/experts/me/payout-account').set('authorization', user.auth);
    return key ? req.set('idempotency-key', key) : req;
  };
  const get = (user: TestUser) => t.http.get('/v1/experts/me/payout-account').set('authorization', user.auth);

  it('GET before POST → 404 payout_account_missing in the envelope', async () => {
    const expert = await registerUser(t, 'expert');
    const res = await get(expert).expect(404);
    expect(res.body.error).toMatchObject({ type: 'not_found', code: 'payout_account_missing' });
  });

  it('POST creates one Express account (metadata userId, transfers requested), answers {status, onboardingUrl}; again → 200, same account, fresh link', async () => {
    const expert = await registerUser(t, 'expert');
    const first = await post(expert).expect(201);
    expect(first.body).toEqual({ status: 'pending', onboardingUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/sandbox\/onboarding\/acct_/) });
    const second = await post(expert).expect(200);
    expect(second.body.status).toBe('pending');
    const rows = await t.ds.getRepository(PayoutAccount).findBy({ userId: expert.id });
    expect(rows).toHaveLength(1);
    const accountId = rows[0].stripeAccountId;
    expect(first.body.onboardingUrl).toContain(accountId);
    expect(second.body.onboardingUrl).toContain(accountId);
    const account = await platformStripe(t).accounts.retrieve(accountId);
    expect(account).toMatchObject({ type: 'express', email: expert.email, metadata: { userId: expert.id }, capabilities: { transfers: 'inactive' } });
    // The return/refresh urls lead back to the API's own status route (no PUBLIC_BASE_URL here).
    const link = new URL(first.body.onboardingUrl as string);
    expect(link.searchParams.get('return_url')).toBe(`${hostOf(t)}/v1/experts/me/payout-account`);
    // API3: no Stripe ids in the answers.
    expect(JSON.stringify((await get(expert).expect(200)).body)).not.toContain('acct_');
  });

  it('M3 two POSTs at once → one account at Stripe (idempotency key account:<userId>), one row', async () => {
    const expert = await registerUser(t, 'expert');
    const before = (await platformStripe(t).accounts.list({ limit: 100 })).data.length;
    const answers = await Promise.all([post(expert), post(expert), post(expert)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    const after = (await platformStripe(t).accounts.list({ limit: 100 })).data.filter((a) => a.metadata?.userId === expert.id);
    expect(after).toHaveLength(1);
    expect((await platformStripe(t).accounts.list({ limit: 100 })).data.length).toBe(before + 1);
    expect(await t.ds.getRepository(PayoutAccount).countBy({ userId: expert.id })).toBe(1);
  });

  it('opening the account link completes onboarding → account.updated webhook → enabled, payoutsEnabled', async () => {
    const expert = await registerUser(t, 'expert');
    await onboard(t, expert);
    expect((await get(expert).expect(200)).body).toEqual({ status: 'enabled', payoutsEnabled: true });
  });

  it('routes: me/payout-account is not read as an expert id; customers and admins get 403; no token 401', async () => {
    const expert = await registerUser(t, 'expert');
    await createProfile(t, expert);
    await post(expert).expect(201);
    expect((await t.http.get(`/v1/experts/${expert.id}`).set('authorization', expert.auth).expect(200)).body.id).toBe(expert.id);
    const customer = await registerUser(t, 'customer');
    expect((await post(customer).expect(403)).body.error.code).toBe('forbidden');
    expect((await get(customer).expect(403)).body.error.code).toBe('forbidden');
    const admin = await makeAdmin(t);
    await get(admin).expect(403);
    await t.http.get('/v1/experts/me/payout-account').expect(401);
  });

  it('unknown body fields → 400 unknown_field (nobody sets status)', async () => {
    const expert = await registerUser(t, 'expert');
    const res = await post(expert).send({ status: 'enabled' }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'unknown_field', param: 'status' });
  });

  it('the sandbox down → 503 payment_provider_unavailable, nothing stored; the same call works once it is back', async () => {
    const expert = await registerUser(t, 'expert');
    await t.sandbox.stop();
    try {
      const res = await post(expert).expect(503);
      expect(res.body.error).toMatchObject({ type: 'api_error', code: 'payment_provider_unavailable' });
      expect(await t.ds.getRepository(PayoutAccount).countBy({ userId: expert.id })).toBe(0);
    } finally {
      await t.sandbox.start();
    }
    await post(expert).expect(201);
  });
});

function hostOf(t: TestApp): string {
  return t.baseUrl;
}

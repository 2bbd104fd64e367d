import { createTestApp, TestApp } from '../support/test-app';
import { placeBid, postRequest, registerUser, TestUser, validBid } from '../support/factories';
import { errorOf } from './bids-support';

// jest's testTimeout is a global option (ignored inside `projects`), so e2e files set their own.
jest.setTimeout(60_000);

/** API4: a per-expert hourly quota on bids (the app runs with a quota of 3 to keep the test short). */
describe('bids: quota', () => {
  const QUOTA = 3;
  let t: TestApp;
  let customer: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ bidQuotaPerHour: QUOTA });
    customer = await registerUser(t, 'customer');
  });
  afterAll(() => t.close());

  it('API4 the bid over the hourly quota → 429 quota_exceeded with Retry-After; withdrawn bids count; others unaffected', async () => {
    const expert = await registerUser(t, 'expert');
    const requests = await Promise.all(Array.from({ length: QUOTA + 1 }, () => postRequest(t, customer)));
    // Place and withdraw on the first request, so the quota cannot be dodged by withdrawing.
    const first = await placeBid(t, expert, requests[0].id);
    expect((await t.http.post(`/v1/bids/${first.id}/withdraw`).set('authorization', expert.auth)).status).toBe(200);
    for (const r of requests.slice(1, QUOTA)) await placeBid(t, expert, r.id);

    const over = await t.http.post(`/v1/requests/${requests[QUOTA].id}/bids`).set('authorization', expert.auth).send(validBid());
    expect(errorOf(over)).toMatchObject({ status: 429, code: 'quota_exceeded' });
    expect(over.body.error.type).toBe('rate_limit');
    const retryAfter = Number(over.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);

    const other = await registerUser(t, 'expert');
    expect((await t.http.post(`/v1/requests/${requests[QUOTA].id}/bids`).set('authorization', other.auth).send(validBid())).status).toBe(201);
  });

  it('API4 bids older than an hour no longer count', async () => {
    const expert = await registerUser(t, 'expert');
    const requests = await Promise.all(Array.from({ length: QUOTA + 1 }, () => postRequest(t, customer)));
    for (const r of requests.slice(0, QUOTA)) await placeBid(t, expert, r.id);
    await t.ds.query(`UPDATE bids SET created_at = now() - interval '61 minutes' WHERE expert_id = $1`, [expert.id]);
    expect((await t.http.post(`/v1/requests/${requests[QUOTA].id}/bids`).set('authorization', expert.auth).send(validBid())).status).toBe(201);
  });

  it('API4 a burst on different requests at once cannot slip past the quota', async () => {
    const expert = await registerUser(t, 'expert');
    const requests = await Promise.all(Array.from({ length: QUOTA + 3 }, () => postRequest(t, customer)));
    const results = await Promise.all(
      requests.map((r) => t.http.post(`/v1/requests/${r.id}/bids`).set('authorization', expert.auth).send(validBid())),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(QUOTA);
    expect(results.filter((r) => r.status === 429)).toHaveLength(3);
  });
});

import { postRequest, registerUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { REQUESTS_PER_HOUR } from '../../src/requests/request-rules';

// Registration hashes passwords (argon2id): set-ups that make several users need more than jest's 5 s.
jest.setTimeout(30_000);

const body = {
  title: 'Laptop will not boot',
  description: 'After the last update the laptop shows a black screen.',
  category: 'windows',
};

/** API4: a customer posts at most REQUESTS_PER_HOUR requests per rolling hour. */
describe('request posting quota (API4)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const count = async (customerId: string) =>
    (await t.ds.query(`SELECT count(*)::int AS n FROM help_requests WHERE customer_id = $1`, [customerId]))[0].n as number;

  it(`API4 the ${REQUESTS_PER_HOUR + 1}th request within an hour → 429 quota_exceeded with Retry-After; others unaffected`, async () => {
    const c = await registerUser(t, 'customer');
    for (let i = 0; i < REQUESTS_PER_HOUR; i++) await postRequest(t, c);
    const res = await t.http.post('/v1/requests').set('authorization', c.auth).send(body);
    expect(res.status).toBe(429);
    expect(res.body.error).toMatchObject({ type: 'rate_limit', code: 'quota_exceeded' });
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await count(c.id)).toBe(REQUESTS_PER_HOUR);
    // The quota is per customer.
    await postRequest(t, await registerUser(t, 'customer'));
  });

  it('API4 requests older than an hour no longer count; Retry-After follows the oldest one in the window', async () => {
    const c = await registerUser(t, 'customer');
    for (let i = 0; i < REQUESTS_PER_HOUR; i++) await postRequest(t, c);
    // Age the first one to 59m30s ago: the window frees a slot in about 30 s.
    await t.ds.query(
      `UPDATE help_requests SET created_at = now() - interval '59 minutes 30 seconds'
        WHERE id = (SELECT id FROM help_requests WHERE customer_id = $1 ORDER BY created_at LIMIT 1)`,
      [c.id],
    );
    const refused = await t.http.post('/v1/requests').set('authorization', c.auth).send(body);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(25);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(31);
    await t.ds.query(`UPDATE help_requests SET created_at = created_at - interval '1 minute' WHERE customer_id = $1`, [c.id]);
    await postRequest(t, c);
  });

  it('API4 a concurrent burst cannot slip past the quota: 30 at once → exactly 20 rows, the rest 429', async () => {
    const c = await registerUser(t, 'customer');
    const results = await Promise.all(
      Array.from({ length: REQUESTS_PER_HOUR + 10 }, () => t.http.post('/v1/requests').set('authorization', c.auth).send(body)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(REQUESTS_PER_HOUR);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    expect(await count(c.id)).toBe(REQUESTS_PER_HOUR);
  });

  it('I5 a 429 is not stored under an Idempotency-Key: the same key works once the quota frees up', async () => {
    const c = await registerUser(t, 'customer');
    for (let i = 0; i < REQUESTS_PER_HOUR; i++) await postRequest(t, c);
    const first = await t.http.post('/v1/requests').set('authorization', c.auth).set('Idempotency-Key', 'quota-key').send(body);
    expect(first.status).toBe(429);
    await t.ds.query(`UPDATE help_requests SET created_at = created_at - interval '2 hours' WHERE customer_id = $1`, [c.id]);
    const retry = await t.http.post('/v1/requests').set('authorization', c.auth).set('Idempotency-Key', 'quota-key').send(body);
    expect(retry.status).toBe(201);
  });
});

import { makeAdmin, registerUser, suspendUser, TestUser } from '../support/factories';
import { createPartner, TestPartner } from '../support/partners';
import { seedPublishedSolution } from '../support/solutions';
import { createTestApp, TestApp } from '../support/test-app';

const PUBLIC_LIMIT = 4;

/**
 * Public reads (issue 10 item 1): every GET /v1/solutions… and GET /v1/categories answers
 * without credentials, checks the ones sent, and counts anonymous callers per address in their
 * own budget (PUBLIC_RATE_LIMIT_PER_MINUTE), never showing an email.
 */
describe('knowledge base: public reads', () => {
  let t: TestApp;
  let admin: TestUser;
  let customer: TestUser;
  let expert: TestUser;
  let partner: TestPartner;
  let solutionId: string;
  let ip = 0;
  const freshIp = () => `203.0.113.${++ip}`;

  beforeAll(async () => {
    t = await createTestApp({ publicRateLimitPerMinute: PUBLIC_LIMIT, rateLimitPerMinute: 1000 });
    admin = await makeAdmin(t);
    customer = await registerUser(t, 'customer');
    expert = await registerUser(t, 'expert');
    partner = await createPartner(t, admin);
    solutionId = await seedPublishedSolution(t, customer, expert, {
      category: 'printers',
      title: 'Printer prints blank pages',
      solution: 'The ink cartridge tape was still on; removed it and ran a head cleaning.',
    });
  });
  afterAll(() => t.close());

  const routes = () => [
    '/v1/categories',
    '/v1/solutions',
    '/v1/solutions?q=blank%20pages&category=printers&language=en',
    '/v1/solutions/similar?text=my%20printer%20gives%20empty%20pages',
    `/v1/solutions/${solutionId}`,
  ];

  it('every public route answers without credentials, with no email anywhere', async () => {
    for (const route of routes()) {
      const res = await t.http.get(route).set('X-Forwarded-For', freshIp());
      expect([route, res.status]).toEqual([route, 200]);
      expect(JSON.stringify(res.body)).not.toMatch(/@/);
    }
  });

  it('a token, when sent, is still checked: a bad one → 401 invalid_token, a suspended user\'s → 401 account_suspended, a good one → 200', async () => {
    const suspended = await registerUser(t, 'customer');
    await suspendUser(t, admin, suspended.id);
    for (const route of routes()) {
      const bad = await t.http.get(route).set('authorization', 'Bearer not-a-token');
      expect([route, bad.status, bad.body.error?.code]).toEqual([route, 401, 'invalid_token']);
      const refused = await t.http.get(route).set('authorization', suspended.auth);
      expect([route, refused.status, refused.body.error?.code]).toEqual([route, 401, 'account_suspended']);
      await t.http.get(route).set('authorization', customer.auth).expect(200);
    }
  });

  it('a partner\'s key alone reads them (as on partner routes); a bad key → 401 invalid_api_key', async () => {
    for (const route of routes()) {
      await t.http.get(route).set('x-api-key', partner.apiKey).expect(200);
      const bad = await t.http.get(route).set('x-api-key', 'fxb_test_nope_nope');
      expect([route, bad.status, bad.body.error?.code]).toEqual([route, 401, 'invalid_api_key']);
    }
  });

  it(`API4 L1 anonymous callers share one per-address budget (${PUBLIC_LIMIT}/min) across the public routes → 429 with Retry-After; other addresses and signed-in callers are unaffected`, async () => {
    const address = freshIp();
    const all = routes();
    for (let i = 0; i < PUBLIC_LIMIT; i++) await t.http.get(all[i % all.length]).set('X-Forwarded-For', address).expect(200);
    for (const route of all) {
      const refused = await t.http.get(route).set('X-Forwarded-For', address);
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatchObject({ type: 'rate_limit', code: 'rate_limited' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    await t.http.get('/v1/solutions').set('X-Forwarded-For', freshIp()).expect(200);
    // A signed-in caller from that address spends their own budget, not the address's.
    await t.http.get('/v1/solutions').set('X-Forwarded-For', address).set('authorization', customer.auth).expect(200);
  });

  it('anonymous public reads do not spend the address\'s ordinary budget (register and login still work from it)', async () => {
    const app = await createTestApp({ publicRateLimitPerMinute: 100, rateLimitPerMinute: 3 }, { databaseUrl: t.databaseUrl, shareSandboxWith: t });
    try {
      const address = freshIp();
      for (let i = 0; i < 6; i++) await app.http.get('/v1/solutions').set('X-Forwarded-For', address).expect(200);
      await app.http.post('/v1/auth/login').set('X-Forwarded-For', address).send({ email: customer.email, password: customer.password }).expect(200);
    } finally {
      await app.close();
    }
  });

  it('B4 list queries are checked: limit 0 or 101, a tampered cursor, an unknown category or field, a bad language → 400; similar needs text', async () => {
    const bad = [
      ['/v1/solutions?limit=0', 'limit'],
      ['/v1/solutions?limit=101', 'limit'],
      ['/v1/solutions?cursor=abc.def', 'cursor'],
      ['/v1/solutions?category=teleportation', 'category'],
      ['/v1/solutions?language=English', 'language'],
      ['/v1/solutions?sort=rating', 'sort'],
      ['/v1/solutions/similar', 'text'],
      ['/v1/solutions/similar?text=ab', 'text'],
      [`/v1/solutions/similar?text=${'a'.repeat(4001)}`, 'text'],
    ];
    for (const [route, param] of bad) {
      const res = await t.http.get(route).set('X-Forwarded-For', freshIp());
      expect([route, res.status, res.body.error?.param]).toEqual([route, 400, param]);
    }
    await t.http.get('/v1/solutions/not-a-uuid').set('X-Forwarded-For', freshIp()).expect(404);
  });
});

import http from 'node:http';
import { registerUser, validRequest } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/** The API's common rules (contract §1) on a real route: body parsing, limits, envelope, request id. */
describe('common HTTP rules', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const expectEnvelope = (res: { body: { error?: Record<string, unknown> }; headers: Record<string, string> }, status: number, code: string) => {
    expect(res.body.error).toMatchObject({ code });
    expect(typeof res.body.error!.message).toBe('string');
    expect(res.body.error!.requestId).toBe(res.headers['x-request-id']);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/);
    void status;
  };

  it('B6 malformed JSON → 400 malformed_json with requestId', async () => {
    const res = await t.http.post('/v1/auth/login').set('content-type', 'application/json').send('{"email": "a@b.c", ');
    expect(res.status).toBe(400);
    expectEnvelope(res, 400, 'malformed_json');
    expect(res.body.error.type).toBe('invalid_request');
  });

  it('B6 an empty JSON body → 400 in the envelope', async () => {
    const res = await t.http.post('/v1/auth/login').set('content-type', 'application/json').send('');
    expect(res.status).toBe(400);
    expectEnvelope(res, 400, 'malformed_json');
  });

  it('B6 a wrong content type → 400 unsupported_content_type', async () => {
    const res = await t.http.post('/v1/auth/login').set('content-type', 'text/plain').send('email=a');
    expect(res.status).toBe(400);
    expectEnvelope(res, 400, 'unsupported_content_type');
  });

  it('B5 API4 a 2 MiB body → 413 body_too_large in the envelope', async () => {
    const big = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(2 * 1024 * 1024) });
    const res = await t.http.post('/v1/auth/login').set('content-type', 'application/json').send(big);
    expect(res.status).toBe(413);
    expectEnvelope(res, 413, 'body_too_large');
  });

  it('B5 V5 {"__proto__":{"role":"admin"}} → 400 and nothing is polluted', async () => {
    const res = await t.http
      .post('/v1/auth/register')
      .set('content-type', 'application/json')
      .send('{"email":"proto@example.com","password":"long enough pass","displayName":"P","role":"customer","__proto__":{"role":"admin","polluted":true}}');
    expect(res.status).toBe(400);
    expect(res.body.error.requestId).toBeDefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const ctor = await t.http
      .post('/v1/auth/login')
      .set('content-type', 'application/json')
      .send('{"email":"a@example.com","password":"long enough pass","constructor":{"prototype":{"polluted":true}}}');
    expect(ctor.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  describe('V6 JSON nested thousands of levels deep → 400 body_too_deep before anything recurses', () => {
    const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

    it.each([
      ['objects 10 000 deep', deepObject(10_000)],
      ['arrays 200 000 deep', deepArray(200_000)],
      ['inside a known field', `{"email":${deepObject(5_000)},"password":"long enough pass"}`],
      ['33 levels', deepObject(33)],
    ])('%s on login → 400 body_too_deep in the envelope', async (_name, body) => {
      const res = await t.http.post('/v1/auth/login').set('content-type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expectEnvelope(res, 400, 'body_too_deep');
      expect(res.body.error.type).toBe('invalid_request');
    });

    it('32 levels is within the limit: the body goes on to validation (400 unknown_field, not body_too_deep)', async () => {
      const res = await t.http.post('/v1/auth/login').set('content-type', 'application/json').send(deepObject(32));
      expect(res.status).toBe(400);
      expectEnvelope(res, 400, 'unknown_field');
    });

    it('I5 with an Idempotency-Key: 400 body_too_deep, nothing stored (the fingerprint never sees it), the key still usable', async () => {
      const customer = await registerUser(t, 'customer');
      const key = `deep-${Date.now()}`;
      const post = (body: string) =>
        t.http.post('/v1/requests').set('authorization', customer.auth).set('Idempotency-Key', key).set('content-type', 'application/json').send(body);
      const deep = `{"title":"Deep body","description":"twenty characters at least","category":"windows","maxBudget":${deepObject(20_000)}}`;
      const res = await post(deep);
      expect(res.status).toBe(400);
      expectEnvelope(res, 400, 'body_too_deep');
      expect(await t.ds.query(`SELECT 1 FROM idempotency_keys WHERE key = $1`, [key])).toEqual([]);
      expect((await post(JSON.stringify(validRequest()))).status).toBe(201);
      // The server is fine afterwards.
      await t.http.get('/v1/categories').expect(200);
    });
  });

  describe('V1 errors raised before Nest sees the request: the envelope with a requestId too', () => {
    /** Raw HTTP, so the URL and method go out exactly as written (a client library would fix or refuse them). */
    const raw = (method: string, path: string, headers: Record<string, string> = {}, body?: string) => {
      const { hostname, port } = new URL(t.baseUrl);
      return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: { error?: Record<string, unknown> } }>((resolve, reject) => {
        const req = http.request({ host: hostname, port, method, path, headers, agent: false }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : {} }));
        });
        req.on('error', reject);
        req.end(body);
      });
    };
    const expectRawEnvelope = (res: Awaited<ReturnType<typeof raw>>, status: number, code: string) => {
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.error).toEqual({ type: expect.any(String), code, message: expect.any(String), requestId: res.headers['x-request-id'] });
      expect(res.body.error!.requestId).toMatch(/^[0-9a-f-]{36}$|^trace-/);
    };

    it('V1 a malformed percent-encoding in the path (the router refuses it before any hook) → 400 malformed_url', async () => {
      expectRawEnvelope(await raw('GET', '/v1/requests/%E0%A4%A'), 400, 'malformed_url');
      expectRawEnvelope(await raw('POST', '/v1/requests/%ZZ/cancel'), 400, 'malformed_url');
      const traced = await raw('GET', '/v1/categories%E0', { 'x-request-id': 'trace-bad-url' });
      expectRawEnvelope(traced, 400, 'malformed_url');
      expect(traced.body.error!.requestId).toBe('trace-bad-url');
    });

    it('V1 a 10 kB path id (past the router\'s parameter limit) → 404 not_found, as any id that cannot exist', async () => {
      const res = await raw('GET', `/v1/requests/${'a'.repeat(10_000)}`);
      expectRawEnvelope(res, 404, 'not_found');
      expect(JSON.stringify(res.body)).not.toContain('aaaaaaaaaa'); // the id is not echoed back
      expectRawEnvelope(await raw('GET', `/v1/requests/${'a'.repeat(101)}/escrow`), 404, 'not_found');
    });

    it('V1 a URL past Node\'s 16 KiB header limit → 431 headers_too_large (answered on the socket)', async () => {
      expectRawEnvelope(await raw('GET', `/v1/requests/${'a'.repeat(20_000)}`), 431, 'headers_too_large');
    });

    it('V1 a method the HTTP parser does not know → 400 malformed_request; a known one without a route → 404 route_not_found', async () => {
      expectRawEnvelope(await raw('FOO', '/v1/categories'), 400, 'malformed_request');
      for (const method of ['DELETE', 'PUT', 'PROPFIND', 'TRACE']) expectRawEnvelope(await raw(method, '/v1/categories'), 404, 'route_not_found');
    });

    it('B6 a POST body without a content type, or as a form → 400 unsupported_content_type (JSON only)', async () => {
      const form = await raw('POST', '/v1/auth/login', { 'content-type': 'application/x-www-form-urlencoded' }, 'email=a%40example.com&password=long+enough+pass');
      expectRawEnvelope(form, 400, 'unsupported_content_type');
      const none = await raw('POST', '/v1/auth/login', { 'content-length': '2' }, '{}');
      expectRawEnvelope(none, 400, 'unsupported_content_type');
      expectRawEnvelope(await raw('POST', '/v1/auth/login', { 'content-type': 'application/xml' }, '<a/>'), 400, 'unsupported_content_type');
      // JSON with parameters is still JSON.
      const json = await raw('POST', '/v1/auth/login', { 'content-type': 'application/json; charset=utf-8' }, '{"isAdmin":true}');
      expect(json.status).toBe(400);
      expect(json.body.error).toMatchObject({ code: 'unknown_field', param: 'isAdmin', requestId: json.headers['x-request-id'] });
    });
  });

  it('B1 an unknown field → 400 unknown_field naming it', async () => {
    const res = await t.http
      .post('/v1/auth/login')
      .send({ email: 'a@example.com', password: 'long enough pass', isAdmin: true });
    expect(res.status).toBe(400);
    expectEnvelope(res, 400, 'unknown_field');
    expect(res.body.error.param).toBe('isAdmin');
  });

  it('V1 an unknown route → 404 in the envelope', async () => {
    const res = await t.http.get('/v1/no-such-thing');
    expect(res.status).toBe(404);
    expectEnvelope(res, 404, 'route_not_found');
    expect(res.body.error.type).toBe('not_found');
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const echoed = await t.http.get('/v1/categories').set('x-request-id', 'req_abc-123');
    expect(echoed.headers['x-request-id']).toBe('req_abc-123');
    const replaced = await t.http.get('/v1/categories').set('x-request-id', 'bad id with spaces <script>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const tooLong = await t.http.get('/v1/categories').set('x-request-id', 'a'.repeat(200));
    expect(tooLong.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const error = await t.http.get('/v1/nothing').set('x-request-id', 'trace-42');
    expect(error.body.error.requestId).toBe('trace-42');
  });

  it('API8 sends security headers and no x-powered-by', async () => {
    const res = await t.http.get('/v1/categories');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

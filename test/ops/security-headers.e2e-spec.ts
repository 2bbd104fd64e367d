import { createTestApp, TestApp } from '../support/test-app';

describe('security headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it.each([
    ['a JSON route', '/health/ready', 200],
    ['an error response', '/v1/no-such-route', 404],
    ['the API reference', '/docs', 200],
  ])('API8 %s carries nosniff, a CSP, frame and transport protections, and no X-Powered-By', async (_, path, status) => {
    const res = await t.http.get(path).expect(status);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'self'/);
    expect(res.headers['content-security-policy']).toMatch(/object-src 'none'/);
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('API8 a 404 is the envelope, with no framework name or stack', async () => {
    const res = await t.http.get('/v1/no-such-route').expect(404);
    expect(res.body).toEqual({
      error: { type: 'not_found', code: 'route_not_found', message: 'No such route.', requestId: res.headers['x-request-id'] },
    });
    expect(res.text).not.toMatch(/fastify|nest|stack|\bat /i);
  });
});

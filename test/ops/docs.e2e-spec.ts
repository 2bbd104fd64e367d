import { createTestApp, TestApp } from '../support/test-app';

/** The CSP directive's sources, e.g. directive(csp, 'script-src') → ["'self'"]. */
function directive(csp: string, name: string): string[] | undefined {
  const found = csp.split(';').map((d) => d.trim().split(/\s+/)).find(([n]) => n === name);
  return found?.slice(1);
}

describe('API reference (/docs, /openapi.json)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('/docs renders under the CSP: every script and stylesheet it references is same-origin and answers 200', async () => {
    const page = await t.http.get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<div id="swagger-ui">');

    const csp = page.headers['content-security-policy'] as string;
    expect(directive(csp, 'script-src')).toEqual(["'self'"]);
    expect(directive(csp, 'style-src')).toContain("'unsafe-inline'");
    expect(directive(csp, 'upgrade-insecure-requests')).toBeUndefined();
    // script-src 'self' forbids inline scripts: the page must have none.
    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src=/);
      expect(body.trim()).toBe('');
    }

    const refs = [...page.text.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map((m) => m[1]);
    const assets = refs.filter((r) => /\.(js|css|png)$/.test(r));
    expect(assets).toEqual(expect.arrayContaining([
      './docs/swagger-ui.css', './docs/swagger-ui-bundle.js', './docs/swagger-ui-standalone-preset.js', './docs/swagger-ui-init.js',
    ]));
    for (const ref of assets) {
      expect(ref).not.toMatch(/^(https?:)?\/\//); // same origin, so default-src/script-src 'self' allow it
      const url = new URL(ref, 'http://localhost/docs').pathname;
      const res = await t.http.get(url);
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
      const type = ref.endsWith('.js') ? /javascript/ : ref.endsWith('.css') ? /text\/css/ : /image\/png/;
      expect(res.headers['content-type']).toMatch(type);
    }
  });

  it('the UI is initialised with the Fixbid document', async () => {
    const init = await t.http.get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"title": "Fixbid API"');
    expect(init.text).toContain('"persistAuthorization": true');
  });

  it('/openapi.json: title, version, the bearer scheme and the partner X-Api-Key scheme, the ErrorResponse component', async () => {
    const res = await t.http.get('/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const doc = res.body;
    expect(doc.info).toMatchObject({ title: 'Fixbid API', version: '1' });
    expect(doc.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: expect.stringContaining('fxb_test_') },
    });
    // Every user route also takes a partner's key acting for one of its users.
    expect(doc.paths['/v1/me'].get.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    expect(doc.paths['/v1/partner/users'].post.security).toEqual([{ apiKey: [] }]);
    expect(doc.components.schemas.ErrorResponse).toEqual({
      type: 'object',
      properties: { error: { $ref: '#/components/schemas/ErrorBody' } },
      required: ['error'],
    });
    expect(doc.components.schemas.ErrorBody.required).toEqual(['type', 'code', 'message', 'requestId']);
  });

  it('API9 every operation documents its errors with the envelope (default → ErrorResponse); health routes are in', async () => {
    const doc = (await t.http.get('/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready', '/v1/categories']));
    for (const [path, item] of Object.entries<Record<string, { responses: Record<string, unknown> }>>(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect({ path, method, default: op.responses.default }).toEqual({
          path, method, default: { $ref: '#/components/responses/Error' },
        });
      }
    }
    expect(doc.paths['/health/ready'].get.responses['503'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ErrorResponse',
    });
  });

  it('API9 the document is self-consistent: every security scheme and $ref an operation uses is defined', async () => {
    const doc = (await t.http.get('/openapi.json').expect(200)).body;
    const used = new Set<string>();
    for (const item of Object.values<Record<string, { security?: Record<string, string[]>[] }>>(doc.paths)) {
      for (const op of Object.values(item)) for (const req of op.security ?? []) Object.keys(req).forEach((k) => used.add(k));
    }
    expect([...used].filter((name) => !doc.components.securitySchemes[name])).toEqual([]);
    const refs = new Set<string>(JSON.stringify(doc).match(/#\/components\/[A-Za-z]+\/[A-Za-z0-9_.-]+/g) ?? []);
    const dangling = [...refs].filter((ref) => {
      const [, , kind, name] = ref.split('/');
      return !doc.components[kind]?.[name];
    });
    expect(dangling).toEqual([]);
  });
});

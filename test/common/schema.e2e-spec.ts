import { schemaDiff } from '../../src/database/schema-diff';
import { createTestApp, TestApp } from '../support/test-app';

describe('database schema', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('entities and migrations agree (generating a migration would change nothing)', async () => {
    const diff = await schemaDiff(t.ds);
    expect(diff.up).toEqual([]);
  });

  it('seeds the contract categories in order', async () => {
    const res = await t.http.get('/v1/categories').expect(200);
    expect(res.body.map((c: { slug: string }) => c.slug)).toEqual([
      'windows', 'macos', 'linux', 'office', 'email', 'networking', 'printers', 'mobile', 'security',
      'data-recovery', 'web-development', 'databases', 'cloud', 'gaming', 'smart-home',
    ]);
    expect(res.body[0]).toEqual({ slug: 'windows', name: 'Windows' });
  });
});

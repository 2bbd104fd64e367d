import { appBodyRoutes, BodyRoute, bodyClassesByRoute, bodyWith, everyKindOfCaller, validatedClassesByName, validatedProperties } from '../support/body-fields';
import { postRequest, registerUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Input rules that hold for every field of every body (V6), generated from the running app's
 * OpenAPI document: a field added to any DTO is covered here without editing this file.
 */
describe('every body field (V6)', () => {
  let t: TestApp;
  let routes: BodyRoute[];
  let send: Awaited<ReturnType<typeof everyKindOfCaller>>['send'];

  beforeAll(async () => {
    t = await createTestApp();
    routes = appBodyRoutes(t);
    ({ send } = await everyKindOfCaller(t));
  });
  afterAll(() => t.close());

  it('the route table is complete: every body DTO of every route is documented, with every field it validates', () => {
    const documented = new Map(routes.map((r) => [r.key, r]));
    const classes = validatedClassesByName();
    const problems: string[] = [];
    for (const [key, type] of bodyClassesByRoute(t.app)) {
      if (validatedProperties(type).length === 0) continue; // a body with no fields (payout-account POSTs)
      const route = documented.get(key);
      if (!route) problems.push(`${key}: body ${type.name} is not in the document`);
      else if (route.schemaName !== type.name) problems.push(`${key}: documented as ${route.schemaName}, validated as ${type.name}`);
    }
    for (const route of routes) {
      for (const owner of new Set([route.schemaName, ...route.fields.map((f) => f.owner)])) {
        const type = classes.get(owner);
        if (!type) {
          problems.push(`${route.key}: no validated class named ${owner}`);
          continue;
        }
        const fields = route.fields.filter((f) => f.owner === owner).map((f) => f.path.at(-1)!).sort();
        if (JSON.stringify(fields) !== JSON.stringify(validatedProperties(type))) {
          problems.push(`${route.key}: ${owner} documents [${fields.join(', ')}] but validates [${validatedProperties(type).join(', ')}]`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(routes.length).toBeGreaterThanOrEqual(15);
  });

  it('V6 null in any field of any body → 400 invalid_field naming the field (except the one documented nullable)', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const route of routes) {
      for (const field of route.fields) {
        const res = await send(route.method, route.url, bodyWith(field.path, null));
        checked += 1;
        if (field.schema.nullable) {
          // null means something here: validation lets it through (a fresh id then answers 404).
          if (res.status === 400) problems.push(`${route.key} ${field.name}: null is documented as meaningful but refused: ${JSON.stringify(res.body)}`);
          continue;
        }
        const error = res.body.error ?? {};
        if (res.status !== 400 || error.code !== 'invalid_field' || error.param !== field.name) {
          problems.push(`${route.key} ${field.name}: ${res.status} ${JSON.stringify(error)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(40);
  });

  it('V6 the only meaningful null is maxBudget in PATCH /v1/requests/:id: it removes the budget', async () => {
    const nullable = routes.flatMap((r) => r.fields.filter((f) => f.schema.nullable).map((f) => `${r.key} ${f.name}`));
    expect(nullable).toEqual(['PATCH /v1/requests/{id} maxBudget']);
    const customer = await registerUser(t, 'customer');
    const r = await postRequest(t, customer);
    const res = await t.http.patch(`/v1/requests/${r.id}`).set('authorization', customer.auth).send({ maxBudget: null }).expect(200);
    expect(res.body.maxBudget).toBeNull();
    const posted = await t.http.post('/v1/requests').set('authorization', customer.auth)
      .send({ title: 'Null budget on create', description: 'A budget of null means nothing on create.', category: 'windows', maxBudget: null });
    expect(posted.status).toBe(400);
    expect(posted.body.error).toMatchObject({ code: 'invalid_field', param: 'maxBudget' });
  });

  it('V6 U+0000 (and an unpaired surrogate) in any string field of any body → 400 invalid_field naming it', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const route of routes) {
      for (const field of route.fields) {
        const isString = field.schema.type === 'string';
        if (!isString && field.schema.items?.type !== 'string') continue;
        for (const text of ['before\u0000after', 'half a pair \ud83d']) {
          const res = await send(route.method, route.url, bodyWith(field.path, isString ? text : [text]));
          checked += 1;
          const error = res.body.error ?? {};
          if (res.status !== 400 || error.code !== 'invalid_field' || error.param !== field.name) {
            problems.push(`${route.key} ${field.name} ${JSON.stringify(text)}: ${res.status} ${JSON.stringify(error)}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(50);
  });

  it('V6 U+0000 in a query string → 400 invalid_field naming the parameter (it was a 500 from PostgreSQL)', async () => {
    const customer = await registerUser(t, 'customer');
    for (const [path, query] of [['/v1/requests', 'q'], ['/v1/experts', 'q'], ['/v1/requests', 'category'], ['/v1/requests', 'cursor']] as const) {
      const res = await t.http.get(path).query({ [query]: 'printer\u0000' }).set('authorization', customer.auth);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_field', param: query, requestId: res.headers['x-request-id'] });
    }
  });

  it('V6 the login that answered 500 for an email with U+0000 → 400 invalid_field email', async () => {
    const res = await t.http.post('/v1/auth/login').send({ email: 'a\u0000@example.com', password: 'long enough pass' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_field', param: 'email' });
  });

  it('V6 PATCH {"title": null} → 400 invalid_field title, the request unchanged (it was a 500)', async () => {
    const customer = await registerUser(t, 'customer');
    const r = await postRequest(t, customer);
    for (const field of ['title', 'description', 'urgency', 'biddingClosesAt']) {
      const res = await t.http.patch(`/v1/requests/${r.id}`).set('authorization', customer.auth).send({ [field]: null });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request', code: 'invalid_field', param: field, requestId: res.headers['x-request-id'] });
    }
    const [row] = await t.ds.query(`SELECT title, urgency FROM help_requests WHERE id = $1`, [r.id]);
    expect(row).toEqual({ title: r.title, urgency: r.urgency });
  });
});

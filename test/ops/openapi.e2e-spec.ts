import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderOpenApiYaml } from '../../src/cli/openapi';
import { buildOpenApiDocument, toSortedYaml } from '../../src/docs/openapi';
import { constraintsOf, validatedClassesByName, validatedProperties } from '../support/body-fields';
import { acceptedDeal } from '../support/deals';
import { postRequest, registerUser } from '../support/factories';
import { loadSpecValidator } from '../support/spec-validator';
import { createTestApp, TestApp } from '../support/test-app';

const CHECKED_IN = join(__dirname, '..', '..', 'openapi.yaml');

/** The first line where two texts differ, with its neighbour lines, to point at the drift. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const i = a.findIndex((line, n) => line !== b[n]);
  const at = i === -1 ? a.length : i;
  return `line ${at + 1}:\n  openapi.yaml: ${JSON.stringify(a[at])}\n  running app:  ${JSON.stringify(b[at])}`;
}

describe('openapi.yaml', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('API9 the checked-in openapi.yaml is the running app\'s document (run `npm run openapi` when this fails)', () => {
    const live = toSortedYaml(buildOpenApiDocument(t.app));
    const checkedIn = readFileSync(CHECKED_IN, 'utf8');
    if (checkedIn !== live) {
      throw new Error(
        'openapi.yaml is out of date with the routes: run `npm run openapi` and commit the result.\n' +
          firstDifference(checkedIn, live),
      );
    }
  });

  it('the CLI builds the same document without any database (preview mode connects nothing)', async () => {
    const viaCli = await renderOpenApiYaml();
    expect(viaCli).toBe(toSortedYaml(buildOpenApiDocument(t.app)));
  });

  it('/openapi.json serves that same document', async () => {
    const served = (await t.http.get('/openapi.json').expect(200)).body;
    expect(toSortedYaml(served)).toBe(toSortedYaml(buildOpenApiDocument(t.app)));
  });

  it('a nullable object property takes null under a spec validator (the fuzz found maxBudget, nextAutomaticTransition and chargeback refused)', async () => {
    const spec = await loadSpecValidator(CHECKED_IN);
    const customer = await registerUser(t, 'customer');
    const posted = await postRequest(t, customer, { maxBudget: undefined });
    const cancelled = await t.http.post(`/v1/requests/${posted.id}/cancel`).set('authorization', customer.auth).expect(200);
    expect(cancelled.body).toMatchObject({ maxBudget: null, nextAutomaticTransition: null });
    expect(spec.responseProblems('GET', '/v1/requests/{id}', 200, cancelled.body)).toEqual([]);
    expect(spec.requestProblems('PATCH', '/v1/requests/{id}', { maxBudget: null })).toEqual([]);
    const deal = await acceptedDeal(t, { onboarded: false });
    const escrow = await t.http.get(`/v1/requests/${deal.requestId}/escrow`).set('authorization', deal.customer.auth).expect(200);
    expect(escrow.body.chargeback).toBeNull();
    expect(spec.responseProblems('GET', '/v1/requests/{id}/escrow', 200, escrow.body)).toEqual([]);
    // The validator still refuses what is neither the object nor null.
    expect(spec.responseProblems('GET', '/v1/requests/{id}', 200, { ...cancelled.body, maxBudget: 5 })).not.toEqual([]);
    expect(spec.requestProblems('PATCH', '/v1/requests/{id}', { maxBudget: { amount: 'x' } })).not.toEqual([]);
  });

  it('every error response of every operation has the envelope as its body (401 of login and the like had none: a validator let any body through)', async () => {
    const bare: string[] = [];
    for (const [path, item] of Object.entries(buildOpenApiDocument(t.app).paths)) {
      for (const [method, operation] of Object.entries(item as Record<string, { responses?: Record<string, { $ref?: string; content?: unknown }> }>)) {
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          const envelope = JSON.stringify(response.content ?? {}).includes('#/components/schemas/ErrorResponse');
          if ((Number(status) >= 400 || status === 'default') && response.$ref !== '#/components/responses/Error' && !envelope) bare.push(`${method} ${path} ${status}`);
        }
      }
    }
    expect(bare).toEqual([]);
    const spec = await loadSpecValidator(CHECKED_IN);
    const refused = await t.http.post('/v1/auth/login').send({ email: 'nobody@example.com', password: 'wrong password!' }).expect(401);
    expect(spec.responseProblems('POST', '/v1/auth/login', 401, refused.body)).toEqual([]);
    expect(spec.responseProblems('POST', '/v1/auth/login', 401, { message: 'Unauthorized' })).not.toEqual([]);
  });

  it('a field the app holds to integers is `type: integer` in the document (limit, etaMinutes, rating, minBudget, refundAmount said number: 1.5 was valid there, 400 here)', () => {
    const document = buildOpenApiDocument(t.app);
    const schemas = document.components?.schemas as Record<string, { properties?: Record<string, { type?: string }> }>;
    const queryParams = Object.values(document.paths).flatMap((item) =>
      Object.values(item).flatMap((op: { parameters?: Array<{ in?: string; name?: string; schema?: { type?: string } }> }) => op.parameters ?? []));
    const wrong: string[] = [];
    let checked = 0;
    for (const [name, type] of validatedClassesByName()) {
      for (const property of validatedProperties(type).filter((p) => constraintsOf(type, p).includes('isInt'))) {
        const documented = schemas[name]
          ? [schemas[name].properties?.[property]?.type]
          : queryParams.filter((p) => p.in === 'query' && p.name === property).map((p) => p.schema?.type);
        checked += documented.length;
        if (documented.some((t) => t !== 'integer')) wrong.push(`${name}.${property}: ${documented.join(', ')}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it('no operation lists a parameter (header names compare case-insensitively) or a security requirement twice', () => {
    const twice: string[] = [];
    for (const [path, item] of Object.entries(buildOpenApiDocument(t.app).paths)) {
      for (const [method, op] of Object.entries(item as Record<string, { parameters?: Array<{ $ref?: string; in?: string; name?: string }>; security?: object[] }>)) {
        const keys = [
          ...(op.parameters ?? []).map((p) => p.$ref ?? `${p.in} ${p.in === 'header' ? p.name?.toLowerCase() : p.name}`),
          ...(op.security ?? []).map((s) => `security ${Object.keys(s).join('+')}`),
        ];
        for (const key of new Set(keys.filter((k, i) => keys.indexOf(k) !== i))) twice.push(`${method} ${path}: ${key}`);
      }
    }
    expect(twice).toEqual([]);
  });

  it('the YAML is deterministic: keys sorted at every depth, no anchors', () => {
    const yaml = toSortedYaml({ openapi: '3.0.0', paths: {}, info: { version: '1', title: 'x' }, components: {} } as never);
    expect(yaml).toBe('components: {}\ninfo:\n  title: x\n  version: "1"\nopenapi: 3.0.0\npaths: {}\n');
    const shared = { type: 'string' };
    const twice = toSortedYaml({ b: shared, a: shared } as never);
    expect(twice).toBe('a:\n  type: string\nb:\n  type: string\n');
  });
});

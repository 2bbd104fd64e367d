import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { CallerKind, FuzzWorld } from './fuzz-world';
import { encodeSegment } from './raw-http';
import { fieldPaths, invalidValue, longText, oddText, resolveSchema, Schema, setPath, validValue } from './schema-arbitraries';

/**
 * Calls generated from the checked-in openapi.yaml, one arbitrary per operation: valid ones
 * (from the schemas, with real ids and values and the right caller), invalid ones (one thing
 * broken: a field's type or bounds, null, an unknown or a missing field, a query or header value,
 * a body that is no object or no JSON, another method) and ones with the wrong credentials. Path
 * parameters are documented as any string, so hostile path segments count as valid.
 */
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  key: string;
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
  /** Security scheme names that admit the call (none: public). */
  security: string[];
}

export interface FuzzCase {
  op: Operation;
  /** The operation's, or another one the path does not have. */
  method: string;
  kind: 'valid' | 'invalid' | 'auth';
  /** What was done to the input, for the report. */
  what: string;
  path: string;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body?: string;
  /**
   * Sent to the app itself: what Prism would change on the way (it re-serialises the JSON it
   * parsed, so a body that is no object, a key twice, truncated JSON) or cannot take (a path
   * that is no UTF-8, a URL over 16 KiB, a method the path does not have).
   */
  direct?: boolean;
}

export interface FuzzDocument {
  components: Record<string, Schema>;
  operations: Operation[];
}

const ROOT = join(__dirname, '..', '..');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

export function loadFuzzDocument(file = join(ROOT, 'openapi.yaml')): FuzzDocument {
  const doc = parse(readFileSync(file, 'utf8'));
  const parameters = (doc.components.parameters ?? {}) as Record<string, Parameter>;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = ((op.parameters ?? []) as Array<Parameter & { $ref?: string }>).map((p) => (p.$ref ? parameters[p.$ref.split('/').pop()!] : p));
      const body = (op.requestBody as { content?: Record<string, { schema: Schema }> } | undefined)?.content?.['application/json']?.schema;
      const security = [...new Set(((op.security ?? []) as Array<Record<string, unknown>>).flatMap((s) => Object.keys(s)))];
      operations.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, parameters: params, body, security });
    }
  }
  return { components: doc.components.schemas as Record<string, Schema>, operations };
}

/** Path segments a router, a UUID parser or a SQL driver may choke on. */
const HOSTILE_SEGMENTS = fc.oneof(
  fc.constantFrom('..', '.', '%', ' ', 'null', 'undefined', '0', '-1', '1e309', 'NaN', "1' OR '1'='1", '00000000-0000-0000-0000-000000000000',
    'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE', '6f1c0c5e-2d7c-4b8e-9a3f-1e2d3c4b5a6f\u0000', 'a/b', 'a?b', 'a#b', '\ud800', '\u202e', 'x'.repeat(5000)),
  oddText.filter((s) => s.length > 0),
);

/** Who an operation is written for, by its path; every other caller is tried too (their 403s and 404s must be well-formed as well). */
function preferredCaller({ method, path }: Operation): CallerKind | undefined {
  if (path.startsWith('/v1/admin')) return 'admin';
  if (path.startsWith('/v1/partner/') || path.startsWith('/v1/webhook-endpoints') || path.startsWith('/v1/events')) return 'partnerKey';
  if (path.startsWith('/v1/experts/me') || (path.startsWith('/v1/bids') && !path.endsWith('/accept'))) return 'expert';
  if (method === 'POST' && (path.endsWith('/bids') || path.endsWith('/resolve'))) return 'expert';
  if (path.startsWith('/v1/requests') || path.endsWith('/accept')) return 'customer';
  return undefined;
}

function callerArbitrary(op: Operation): fc.Arbitrary<CallerKind | 'none'> {
  if (op.security.length === 0) return fc.constant('none');
  if (!op.security.includes('bearer')) return fc.constant('partnerKey');
  const any = fc.constantFrom<CallerKind>('customer', 'expert', 'admin', 'partnerAsCustomer', 'partnerKey');
  const preferred = preferredCaller(op);
  return preferred ? fc.oneof({ weight: 3, arbitrary: fc.constant(preferred) }, { weight: 2, arbitrary: any }) : any;
}

/** Header values are bytes: visible ASCII, as a client can send them. */
const headerText = (schema: Schema) => (schema.format === 'uuid' ? fc.uuid() : fc.stringMatching(/^[\x21-\x7e]{1,64}$/));

interface Parts {
  path: Record<string, string>;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body: unknown;
  caller: CallerKind | 'none';
}

function validParts(doc: FuzzDocument, op: Operation, world: FuzzWorld): fc.Arbitrary<Parts> {
  const pathArbs: Record<string, fc.Arbitrary<string>> = {};
  for (const p of op.parameters.filter((p) => p.in === 'path')) {
    // The segment before `{id}` names the resource: `/v1/bids/{id}` → bid ids.
    const segments = op.path.split('/');
    const owner = segments[segments.indexOf(`{${p.name}}`) - 1];
    const real = world.ids[owner] ?? [];
    pathArbs[p.name] = fc.oneof(
      ...(real.length ? [{ weight: 8, arbitrary: fc.constantFrom(...real) }] : []),
      { weight: 2, arbitrary: fc.uuid() },
      { weight: 1, arbitrary: HOSTILE_SEGMENTS },
    );
  }
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const query = fc
    .tuple(
      ...queryParams.map((p) => {
        const value = validValue(doc.components, p.schema, world.values, Date.now(), p.name).map((v) => [p.name, String(v)] as [string, string]);
        // A required parameter is always sent in valid input (GET /v1/solutions/similar's text).
        return p.required ? value : fc.option(value, { freq: 3 });
      }),
    )
    .map((pairs) => pairs.filter((pair): pair is [string, string] => pair !== null));
  const headerArbs: Record<string, fc.Arbitrary<string>> = {};
  for (const h of op.parameters.filter((p) => p.in === 'header' && p.name.toLowerCase() !== 'x-on-behalf-of')) {
    const name = h.name.toLowerCase();
    const known = world.values[name] as fc.Arbitrary<string> | undefined;
    headerArbs[name] = known ? fc.oneof({ weight: 1, arbitrary: known }, { weight: 3, arbitrary: headerText(h.schema) }) : headerText(h.schema);
  }
  const required = op.parameters.filter((p) => p.in === 'header' && p.required).map((p) => p.name.toLowerCase());
  return fc.record({
    path: fc.record(pathArbs),
    query,
    headers: fc.record(headerArbs, { requiredKeys: required.filter((name) => name in headerArbs) }),
    body: op.body ? validValue(doc.components, op.body, world.values) : fc.constant(undefined),
    caller: callerArbitrary(op),
  });
}

interface Mutation {
  what: string;
  parts?: Partial<Parts>;
  direct?: boolean;
  /** A body sent as these bytes with this content type, not as JSON of `parts.body`. */
  raw?: { body: string; contentType: string };
  method?: string;
}

const nested = (depth: number): unknown => (depth === 0 ? 'bottom' : { deeper: nested(depth - 1) });

/** One thing broken; the rest of `parts` stays valid. */
function mutations(doc: FuzzDocument, op: Operation, parts: Parts): fc.Arbitrary<Mutation>[] {
  const out: fc.Arbitrary<Mutation>[] = [];
  if (op.body) {
    const body = resolveSchema(doc.components, op.body);
    const fields = fieldPaths(doc.components, body);
    if (fields.length) {
      out.push(fc.constantFrom(...fields).chain(({ path, schema }) =>
        invalidValue(doc.components, schema).map((value) => ({ what: `body ${path.join('.')} = ${preview(value)}`, parts: { body: setPath(parts.body, path, value) } }))));
      out.push(fc.tuple(fc.constantFrom(...fields).map((f) => f.path), oddText).map(([path, text]) => ({ what: `body ${path.join('.')} = odd text ${preview(text)}`, parts: { body: setPath(parts.body, path, text) } })));
    }
    out.push(fc.tuple(fc.constantFrom([], ...fields.filter((f) => resolveSchema(doc.components, f.schema).properties).map((f) => f.path)), fc.constantFrom('unexpected', '__proto__', 'constructor', 'id', 'status', ''), fc.jsonValue({ maxDepth: 2 }))
      .map(([at, name, value]) => ({ what: `unknown field ${[...at, name].join('.')}`, parts: { body: setPath(parts.body, [...at, name], value) } })));
    for (const name of body.required ?? []) out.push(fc.constant({ what: `missing ${name}`, parts: { body: setPath(parts.body, [name], undefined) } }));
    out.push(fc.constantFrom<unknown>([], [parts.body], 'text', 42, true, null).map((value) => ({ what: `body ${preview(value)}`, parts: { body: value }, direct: !(value && typeof value === 'object') })));
    out.push(longText.map((text) => ({ what: `1 MiB+ body`, parts: { body: setPath(parts.body, [fields[0]?.path[0] ?? 'x'], text.repeat(Math.ceil(1_100_000 / text.length))) } })));
    out.push(fc.integer({ min: 30, max: 400 }).map((depth) => ({ what: `a body ${depth} levels deep`, parts: { body: setPath(parts.body, ['unexpected'], nested(depth)) } })));
    const json = JSON.stringify(parts.body ?? {});
    out.push(fc.constantFrom<Mutation>(
      { what: 'the JSON as text/plain', raw: { body: json, contentType: 'text/plain' } },
      { what: 'a form body', raw: { body: 'title=x&amount=1', contentType: 'application/x-www-form-urlencoded' } },
      { what: 'JSON in latin1', raw: { body: json, contentType: 'application/json; charset=latin1' } },
      // Prism re-serialises JSON it parsed, which would change these bytes: the app gets them directly.
      { what: 'a key twice', raw: { body: `{"unexpected":1,${json.slice(1, -1) || '"a":1'},"unexpected":2}`, contentType: 'application/json' }, direct: true },
      { what: 'truncated JSON', raw: { body: json.slice(0, Math.max(1, json.length - 2)), contentType: 'application/json' }, direct: true },
      { what: 'an empty JSON body', raw: { body: '', contentType: 'application/json' }, direct: true },
    ));
  } else if (op.method !== 'GET') {
    out.push(fc.jsonValue({ maxDepth: 2 }).filter((v) => !!v && typeof v === 'object').map((value) => ({ what: `a body where none is read`, parts: { body: value } })));
  }
  for (const p of op.parameters.filter((p) => p.in === 'query')) {
    out.push(invalidValue(doc.components, p.schema).map((value) => ({ what: `query ${p.name}=${preview(value)}`, parts: { query: [...parts.query.filter(([k]) => k !== p.name), [p.name, queryText(value)]] } })));
    out.push(fc.constant({ what: `query ${p.name} twice`, parts: { query: [...parts.query, [p.name, '1'], [p.name, '2']] } }));
  }
  out.push(fc.tuple(fc.constantFrom('unexpected', 'limit[]', '__proto__', ''), oddText).map(([name, value]) => ({ what: `query ${name}=${preview(value)}`, parts: { query: [...parts.query, [name, value]] } })));
  for (const h of op.parameters.filter((p) => p.in === 'header')) {
    const name = h.name.toLowerCase();
    const bad = h.schema.format === 'uuid' ? ['not-a-uuid', '1', ''] : ['', 'x'.repeat(300), '\u00e9\u00ff\u0080'];
    out.push(fc.constantFrom(...bad).map((value) => ({ what: `header ${name}=${preview(value)}`, parts: { headers: { ...parts.headers, [name]: value } } })));
  }
  return out;
}

/** Credentials that are missing, malformed, forged, revoked, or another user's kind. */
const WRONG_AUTH: Array<{ what: string; headers: Record<string, string> }> = [
  { what: 'no credentials', headers: {} },
  { what: 'Bearer garbage', headers: { authorization: 'Bearer not-a-jwt' } },
  { what: 'Bearer a forged JWT', headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiLCJyb2xlIjoiYWRtaW4ifQ.c2lnbmF0dXJl' } },
  { what: 'Basic credentials', headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } },
  { what: 'an unknown API key', headers: { 'x-api-key': 'fxb_test_unknownunknownunknown' } },
  { what: 'a key acting for a stranger', headers: { 'x-api-key': 'fxb_test_unknownunknownunknown', 'x-on-behalf-of': '00000000-0000-4000-8000-000000000000' } },
];

export function caseArbitrary(doc: FuzzDocument, op: Operation, world: FuzzWorld): fc.Arbitrary<FuzzCase> {
  const build = (kind: FuzzCase['kind'], base: Parts, m: Mutation, auth?: Record<string, string>): FuzzCase => {
    const parts = { ...base, ...m.parts };
    const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeSegment(parts.path[name] ?? ''));
    const credentials = auth ?? (parts.caller === 'none' ? {} : world.callers[parts.caller]);
    const headers = { ...parts.headers, ...credentials, ...(m.raw ? { 'content-type': m.raw.contentType } : {}) };
    const body = m.raw ? m.raw.body : parts.body === undefined ? undefined : JSON.stringify(parts.body);
    const method = m.method ?? op.method;
    const direct = m.direct || method !== op.method || !prismCanRoute(path, parts.query);
    return { op, method, kind, what: m.what, path, query: parts.query, headers, body, direct };
  };
  const valid = validParts(doc, op, world);
  // A method the path does not have: Prism answers 405 itself, so the app is asked directly.
  const others = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !doc.operations.some((o) => o.path === op.path && o.method === m));
  const broken = (parts: Parts) => [
    ...mutations(doc, op, parts),
    ...(others.length ? [fc.constantFrom(...others).map((method): Mutation => ({ what: `${method} on ${op.path}`, method }))] : []),
  ];
  return fc.oneof(
    { weight: 5, arbitrary: valid.map((parts) => build('valid', parts, { what: 'valid' })) },
    { weight: 4, arbitrary: valid.chain((parts) => fc.oneof(...broken(parts)).map((m) => build('invalid', parts, m))) },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.constantFrom(...WRONG_AUTH, ...Object.entries(world.callers).map(([what, headers]) => ({ what: `as ${what}`, headers }))))
        .map(([parts, auth]) => build('auth', parts, { what: auth.what }, auth.headers)),
    },
  );
}

/**
 * Prism 5.14 dies on a path whose percent-encoding is not UTF-8 (an uncaught URIError in its
 * router), forwards `/x/.` as `/x/` (URL normalisation), and Node's 16 KiB limit answers a longer
 * URL before Prism sees it: such calls go to the app directly.
 */
function prismCanRoute(path: string, query: Array<[string, string]>): boolean {
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) return false;
  try {
    decodeURIComponent(path);
  } catch {
    return false;
  }
  return path.length + query.reduce((n, [k, v]) => n + k.length + v.length * 3, 0) < 8_000;
}

function queryText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}

export function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…(${text.length})` : text);
}

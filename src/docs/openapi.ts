import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { stringify } from 'yaml';
import { ERROR_DESCRIPTIONS, ErrorResponse } from './error-response';

/** Security scheme name used by `@ApiBearerAuth()`. */
export const BEARER_SCHEME = 'bearer';
/** Security scheme name used by `@ApiSecurity('apiKey')`: a partner's X-Api-Key. */
export const API_KEY_SCHEME = 'apiKey';

const ERROR_RESPONSE_REF = '#/components/responses/Error';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The OpenAPI document of an app, from route metadata only (no request is served), so the
 * `npm run openapi` CLI, the drift test and `/openapi.json` all publish the same thing.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Fixbid API')
    .setDescription(
      'Paid tech-support marketplace: customers post help requests, experts bid, payment is held in escrow ' +
        'until the customer rates the resolution. Every 4xx/5xx answers with the `ErrorResponse` envelope.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'A partner key, `fxb_test_…` in sandbox mode, `fxb_live_…` otherwise.' },
      API_KEY_SCHEME,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponse] });
  addDefaultErrorResponses(document);
  addFrameworkErrorResponses(document);
  addIdempotencyKeyHeader(document);
  addPartnerAccess(document);
  allowNullOnNullableRefs(document);
  return document;
}

/**
 * `@ApiProperty({ type: Dto, nullable: true })` comes out as `{type: object, nullable: true,
 * allOf: [{$ref}]}`, and null fails that `allOf` (OpenAPI 3.0.3: nullable widens only the `type`
 * beside it), so validators refused the nulls the API sends and accepts. The reference becomes
 * `anyOf: [{$ref}, {enum: [null]}]`, which takes the object or null under either reading.
 */
function allowNullOnNullableRefs(document: OpenAPIObject): void {
  type Property = { nullable?: boolean; allOf?: object[]; anyOf?: object[] };
  for (const schema of Object.values(document.components?.schemas ?? {}) as Array<{ properties?: Record<string, Property> }>) {
    for (const property of Object.values(schema.properties ?? {})) {
      if (!property.nullable || property.allOf?.length !== 1 || !('$ref' in property.allOf[0])) continue;
      property.anyOf = [property.allOf[0], { enum: [null] }];
      delete property.allOf;
    }
  }
}

/**
 * Every user route also takes a partner's key with `X-On-Behalf-Of: <userId>` (contract §2):
 * the call then runs exactly as that user's own.
 */
function addPartnerAccess(document: OpenAPIObject): void {
  document.components ??= {};
  document.components.parameters = {
    ...document.components.parameters,
    OnBehalfOf: {
      name: 'X-On-Behalf-Of',
      in: 'header',
      required: false,
      description:
        'With X-Api-Key: the id of one of the partner\'s users to act for (403 `on_behalf_of_required` without it on a user route, ' +
        '`not_partner_user` for anyone else\'s id, `account_suspended` for a suspended user).',
      schema: { type: 'string', format: 'uuid' },
    },
  };
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation?.security?.some((s) => BEARER_SCHEME in s)) continue;
      // Partner routes (webhook endpoints, events) list the key already.
      if (!operation.security.some((s) => API_KEY_SCHEME in s)) operation.security = [...operation.security, { [API_KEY_SCHEME]: [] }];
      operation.parameters = [...(operation.parameters ?? []), { $ref: '#/components/parameters/OnBehalfOf' }];
    }
  }
}

/**
 * Every POST takes `Idempotency-Key` (contract §1); the global interceptor implements it. The
 * auth routes accept the header and ignore it (their answers carry tokens), so it is not listed there.
 */
function addIdempotencyKeyHeader(document: OpenAPIObject): void {
  document.components ??= {};
  document.components.parameters = {
    ...document.components.parameters,
    IdempotencyKey: {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Scoped to the caller, kept 24 h: the same key and body replay the first response (header ' +
        '`Idempotent-Replayed: true`); another body → 422 `idempotency_key_reused`; while the first call ' +
        'runs → 409 `idempotency_key_in_use`. Not on `/v1/auth/*`, whose answers are never stored or replayed.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    if (!item.post || path.startsWith('/v1/auth/')) continue;
    item.post.parameters = [...(item.post.parameters ?? []), { $ref: '#/components/parameters/IdempotencyKey' }];
  }
}

/**
 * Any status a route does not list explicitly still answers with the envelope, so every
 * operation gets `default` → ErrorResponse (a spec validator then checks error bodies too); an
 * error a controller documents by its description alone (`@ApiUnauthorizedResponse({description})`)
 * gets the envelope as its body, which a validator otherwise leaves unchecked.
 */
function addDefaultErrorResponses(document: OpenAPIObject): void {
  document.components ??= {};
  document.components.responses = {
    ...document.components.responses,
    Error: {
      description: "Any error: the contract's envelope",
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
    },
  };
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      operation.responses.default ??= { $ref: ERROR_RESPONSE_REF };
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!response || Number(status) < 400 || '$ref' in response || response.content) continue;
        response.content = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } };
      }
    }
  }
}

/**
 * Statuses the HTTP layer answers before a route's own code runs, so every route that can meet
 * them lists them (in the envelope, like all errors): 400 for any path (a malformed
 * percent-encoding, a query or body the input guards refuse); 404 for a path parameter past the
 * router's length limit; 413 for a body over 1 MiB on a route that reads one.
 */
function addFrameworkErrorResponses(document: OpenAPIObject): void {
  const error = (status: number) => ({
    description: ERROR_DESCRIPTIONS[status],
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
  });
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const statuses = [400, ...(path.includes('{') ? [404] : []), ...(['post', 'put', 'patch'].includes(method) ? [413] : [])];
      for (const status of statuses) operation.responses[String(status)] ??= error(status);
    }
  }
}

/** Plain data with object keys sorted at every depth (arrays keep their order). */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortKeysDeep(v)) as T;
  if (value && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) sorted[key] = sortKeysDeep(child);
    }
    return sorted as T;
  }
  return value;
}

/** Deterministic YAML: sorted keys, no anchors for repeated objects, no line folding. */
export function toSortedYaml(document: OpenAPIObject): string {
  return stringify(sortKeysDeep(document), { aliasDuplicateObjects: false, lineWidth: 0 });
}

/** `/docs` (Swagger UI) and `/openapi.json`; call before `app.init()` (Fastify plugins register then). */
export function setupDocs(app: INestApplication): void {
  let document: OpenAPIObject | undefined;
  // Built on first request: by then every module's controllers are known.
  SwaggerModule.setup('docs', app, () => (document ??= buildOpenApiDocument(app)), {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'],
    customSiteTitle: 'Fixbid API reference',
    swaggerOptions: { persistAuthorization: true, validatorUrl: null },
  });
}

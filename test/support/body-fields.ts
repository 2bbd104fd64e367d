import { randomUUID } from 'node:crypto';
import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { OpenAPIObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { buildOpenApiDocument } from '../../src/docs/openapi';
import { makeAdmin, registerUser } from './factories';
import { createPartner } from './partners';
import { TestApp } from './test-app';

/**
 * The route table the input specs are generated from: every operation of the running app's
 * OpenAPI document that takes a JSON body, with every field of that body (nested ones dotted),
 * so a field added to a DTO is covered without touching the specs. `bodyClassesByRoute` reads the
 * same routes from Nest's own metadata, to prove the document leaves no validated field out.
 */
export interface FieldSchema {
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  items?: FieldSchema;
  $ref?: string;
  allOf?: FieldSchema[];
  anyOf?: FieldSchema[];
  properties?: Record<string, FieldSchema>;
}

export interface BodyField {
  /** `title`, `maxBudget.amount`. */
  name: string;
  path: string[];
  schema: FieldSchema;
  /** The DTO class's schema name the field belongs to (`MoneyDto` for `maxBudget.amount`). */
  owner: string;
}

export interface BodyRoute {
  /** `PATCH /v1/requests/{id}`: as in the document. */
  key: string;
  method: string;
  /** The path with a fresh UUID for each parameter. */
  url: string;
  schemaName: string;
  fields: BodyField[];
}

const BODY_METHODS = ['post', 'put', 'patch', 'delete'] as const;
/** The DTO a field holds: `$ref`, `allOf: [$ref]`, or `anyOf: [$ref, {enum: [null]}]` for a nullable one. */
const refName = (schema: FieldSchema): string | undefined =>
  (schema.$ref ?? [...(schema.allOf ?? []), ...(schema.anyOf ?? [])].find((s) => s.$ref)?.$ref)?.split('/').pop();

function schemaOf(document: OpenAPIObject, name: string): FieldSchema {
  const schema = document.components?.schemas?.[name] as FieldSchema | undefined;
  if (!schema) throw new Error(`schema ${name} is not in the document`);
  return schema;
}

function fieldsOf(document: OpenAPIObject, schemaName: string, prefix: string[] = []): BodyField[] {
  return Object.entries(schemaOf(document, schemaName).properties ?? {}).flatMap(([property, schema]) => {
    const path = [...prefix, property];
    const field: BodyField = { name: path.join('.'), path, schema, owner: schemaName };
    const nested = refName(schema);
    return nested ? [field, ...fieldsOf(document, nested, path)] : [field];
  });
}

export function bodyRoutes(document: OpenAPIObject): BodyRoute[] {
  const routes: BodyRoute[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of BODY_METHODS) {
      const body = item[method]?.requestBody as { content?: Record<string, { schema?: FieldSchema }> } | undefined;
      const schema = body?.content?.['application/json']?.schema;
      if (!schema) continue;
      const schemaName = refName(schema);
      if (!schemaName) throw new Error(`${method.toUpperCase()} ${path}: the body schema is not a named DTO`);
      routes.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        url: path.replace(/\{[^}]+\}/g, () => randomUUID()),
        schemaName,
        fields: fieldsOf(document, schemaName),
      });
    }
  }
  return routes;
}

export const appBodyRoutes = (t: TestApp): BodyRoute[] => bodyRoutes(buildOpenApiDocument(t.app));

/** `{maxBudget: {amount: value}}` for path ['maxBudget', 'amount']. */
export function bodyWith(path: string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

/** The same, set inside a copy of `base` (other fields kept). */
export function withField(base: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  if (rest.length === 0) return { ...base, [head]: value };
  const inner = base[head];
  return { ...base, [head]: withField(inner && typeof inner === 'object' ? (inner as Record<string, unknown>) : {}, rest, value) };
}

/**
 * One caller of each kind. `send` tries them in turn and answers with the first response that is
 * not 401/403, so every route is reached by a caller its guards let through.
 */
export async function everyKindOfCaller(t: TestApp): Promise<{
  send: (method: string, url: string, body: unknown) => Promise<{ status: number; body: { error?: Record<string, unknown> } }>;
}> {
  const admin = await makeAdmin(t);
  const partner = await createPartner(t, admin);
  const headers: Array<Record<string, string>> = [
    { authorization: (await registerUser(t, 'customer')).auth },
    { authorization: (await registerUser(t, 'expert')).auth },
    { authorization: admin.auth },
    { 'x-api-key': partner.apiKey },
  ];
  return {
    send: async (method, url, body) => {
      let last: { status: number; body: { error?: Record<string, unknown> } } | undefined;
      for (const set of headers) {
        last = await t.http[method.toLowerCase() as 'post'](url).set(set).send(body as object);
        if (last.status !== 401 && last.status !== 403) return last;
      }
      return last!;
    },
  };
}

type DtoClass = abstract new (...args: never[]) => unknown;

/** Every class class-validator holds rules for, by name (the OpenAPI schema name is the class name). */
export function validatedClassesByName(): Map<string, DtoClass> {
  const storage = getMetadataStorage() as unknown as { validationMetadatas?: Map<DtoClass, unknown[]> };
  if (!(storage.validationMetadatas instanceof Map)) throw new Error('class-validator keeps its metadata elsewhere now: update test/support/body-fields.ts');
  return new Map([...storage.validationMetadatas.keys()].map((type) => [type.name, type]));
}

/** The properties a DTO class validates (and so the whitelist accepts), its parents' included. */
export const validatedProperties = (type: DtoClass): string[] =>
  [...new Set(getMetadataStorage().getTargetValidationMetadatas(type as never, '', true, false).map((m) => m.propertyName))].sort();

/** The names of the rules on one property (`isString`, `maxLength`, `freeText`, …). */
export const constraintsOf = (type: DtoClass, property: string): string[] =>
  getMetadataStorage()
    .getTargetValidationMetadatas(type as never, '', true, false)
    .filter((m) => m.propertyName === property)
    .map((m) => m.name ?? m.type);

/** `POST /v1/requests/{id}/bids` → the class of the handler's whole-body `@Body()` parameter, from Nest's own metadata. */
export function bodyClassesByRoute(app: INestApplication): Map<string, DtoClass> {
  const routes = new Map<string, DtoClass>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as DtoClass | null;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { index: number; data?: unknown }>;
        const body = Object.entries(args).find(([key, arg]) => key.split(':')[0] === '3' && arg.data === undefined); // RouteParamtypes.BODY
        if (!body) continue;
        const type = (Reflect.getMetadata('design:paramtypes', controller.prototype, name) as DtoClass[])[body[1].index];
        const path = [base, String(Reflect.getMetadata(PATH_METADATA, handler))].filter((p) => p && p !== '/').join('/');
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        routes.set(`${method} /${path.replace(/:(\w+)/g, '{$1}')}`, type);
      }
    }
  }
  return routes;
}

import fc from 'fast-check';

/**
 * fast-check arbitraries from the OpenAPI document's schemas (the subset our DTOs publish):
 * values a schema accepts, values it refuses (wrong type, null, out of bounds, too long, missing
 * or unknown fields), and strings no schema forbids but any server should be wary of.
 */
export interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  example?: unknown;
  $ref?: string;
  allOf?: Schema[];
  anyOf?: Schema[];
}

/** `$ref`s resolved and `allOf` folded into one schema (the sibling keys kept: nullable, description). */
export function resolveSchema(components: Record<string, Schema>, schema: Schema): Schema {
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop()!;
    const target = components[name];
    if (!target) throw new Error(`schema ${schema.$ref} is not in the document`);
    return resolveSchema(components, target);
  }
  if (!schema.allOf) return schema;
  const { allOf, ...rest } = schema;
  return allOf.reduce<Schema>((merged, part) => ({ ...resolveSchema(components, part), ...merged }), rest);
}

/**
 * Strings that are valid for any unbounded string schema and hostile to the code behind it:
 * U+0000, lone surrogates, bidi overrides and invisible characters, NFD forms, emoji sequences,
 * other scripts, quoting and injection characters.
 */
export const ODD_TEXT = [
  '\u0000', 'nul\u0000inside', '\ud800', '\udfff', 'half \ud83d pair', '\u202eexe.fdp', '\u202d', '\u200b', '\u200f', '\ufeff',
  '\uffff', '\ufffd', '\u2028', '\u0085', 'e\u0301', 'A\u030a', 'Cafe\u0301 re\u0301sume\u0301', '👩‍👩‍👧‍👦', '🇺🇸', '𝕏𝔽𝕓', 'مرحبا بالعالم',
  'Z\u0324\u0354\u0367\u0311\u0353', '\t', '\r\n', '"', '\\', "'", '<script>alert(1)</script>', '%00', '${jndi:x}', "'; DROP TABLE users;--",
  '\u0301', '\u00a0', 'İ', 'ß', 'ﬁ', '\u{10ffff}', '\u{e0001}',
];

export const oddText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD_TEXT) },
  {
    weight: 5,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...ODD_TEXT), fc.string({ unit: 'binary', maxLength: 6 }), fc.lorem({ maxCount: 2 })), { minLength: 1, maxLength: 10 })
      .map((parts) => parts.join('')),
  },
);

/**
 * Long text: 10k to 200k characters of one odd or plain piece repeated. Never whitespace alone:
 * the profile trims before it counts, so a megabyte of spaces is an empty bio, not a long one.
 */
export const longText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('x', 'é', 'e\u0301', '😀', '\u202e', 'a ', 'ab\u0000'), fc.integer({ min: 10_000, max: 200_000 }))
  .map(([piece, length]) => piece.repeat(Math.ceil(length / piece.length)));

/** Cut or padded to [min, max] code points, as JSON Schema counts length. */
function fit(text: string, min: number, max: number): string {
  const points = Array.from(text).slice(0, max);
  while (points.length < min) points.push('.');
  return points.join('');
}

function validString(schema: Schema, now: number): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Math.max(min, 400);
  if (schema.format === 'date-time') {
    // Mostly where the app's own windows are (from now to a month ahead), sometimes anywhere.
    const near = fc.integer({ min: now - 3_600_000, max: now + 40 * 86_400_000 });
    const any = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2999, 11, 31) });
    return fc.oneof({ weight: 4, arbitrary: near }, { weight: 1, arbitrary: any }).map((ms) => new Date(ms).toISOString());
  }
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && s.length <= max);
  return fc.oneof(
    { weight: 4, arbitrary: fc.lorem({ maxCount: 30, mode: 'sentences' }).map((s) => fit(s, min, max)) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 200) }).map((s) => fit(s, min, max)) },
    { weight: 1, arbitrary: oddText.map((s) => fit(s, min, max)) },
  );
}

function validNumber(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? -1_000_000;
  const max = schema.maximum ?? 1_000_000;
  const ints = fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
  const edges = fc.constantFrom(Math.ceil(min), Math.floor(max));
  if (integer) return fc.oneof({ weight: 4, arbitrary: ints }, { weight: 1, arbitrary: edges });
  const doubles = fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return fc.oneof({ weight: 4, arbitrary: ints }, { weight: 1, arbitrary: edges }, { weight: 1, arbitrary: doubles });
}

/**
 * Real values for fields by name (an existing account's email and password, a live refresh
 * token, a cursor of a real page), offered beside the generated ones so calls get past
 * "not found" and "invalid credentials" too.
 */
export type KnownValues = Record<string, fc.Arbitrary<unknown>>;

/** A value `schema` accepts; its `example` often, so business rules (known slugs, currencies) pass too. */
export function validValue(components: Record<string, Schema>, raw: Schema, known: KnownValues = {}, now = Date.now(), name?: string): fc.Arbitrary<unknown> {
  const generated = generatedValue(components, raw, known, now);
  const real = name ? known[name] : undefined;
  return real ? fc.oneof(real, generated) : generated;
}

function generatedValue(components: Record<string, Schema>, raw: Schema, known: KnownValues, now: number): fc.Arbitrary<unknown> {
  const schema = resolveSchema(components, raw);
  const base = ((): fc.Arbitrary<unknown> => {
    if (schema.anyOf) return fc.oneof(...schema.anyOf.map((option) => validValue(components, option, known, now)));
    if (schema.enum) return fc.constantFrom(...schema.enum);
    switch (schema.type) {
      case 'string': return validString(schema, now);
      case 'integer': return validNumber(schema, true);
      case 'number': return validNumber(schema, false);
      case 'boolean': return fc.boolean();
      case 'array': {
        const items = validValue(components, schema.items ?? {}, known, now);
        return fc.array(items, { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, 8) });
      }
      case 'object':
      case undefined: {
        const properties = schema.properties ?? {};
        const record = Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, validValue(components, value, known, now, key)]));
        return fc.record(record, { requiredKeys: (schema.required ?? []).filter((key) => key in properties) });
      }
      default: throw new Error(`no arbitrary for schema type ${schema.type}`);
    }
  })();
  const withExample = schema.example === undefined ? base : fc.oneof(fc.constant(schema.example), base);
  return schema.nullable ? fc.option(withExample, { nil: null, freq: 6 }) : withExample;
}

/** Values of another JSON type than `schema`'s. */
function wrongTypes(schema: Schema): unknown[] {
  const all: Record<string, unknown[]> = {
    string: ['a string', '', '123', 'true'],
    number: [42, -1.5],
    boolean: [true, false],
    array: [[], ['x'], [1, null]],
    object: [{}, { nested: { deeper: [1] } }],
  };
  const own = schema.type === 'integer' ? 'number' : (schema.type ?? 'object');
  return Object.entries(all).filter(([type]) => type !== own).flatMap(([, values]) => values);
}

/** Numbers at and past the bounds, and the ones JSON and JavaScript get wrong. */
function boundaryNumbers(schema: Schema): number[] {
  const out = [1e308, -1e308, 2 ** 53 + 2, -(2 ** 53) - 2, 1e21, 5e-324, -0];
  if (schema.minimum !== undefined) out.push(schema.minimum - 1, schema.minimum - 0.5, schema.minimum - 1e-9);
  if (schema.maximum !== undefined) out.push(schema.maximum + 1, schema.maximum + 0.5, schema.maximum + 1e-9);
  if (schema.type === 'integer') out.push((schema.minimum ?? 0) + 0.5);
  return out;
}

/** A value `schema` refuses: wrong type, null, out of its bounds, too long or short, not in its enum, a bad format. */
export function invalidValue(components: Record<string, Schema>, raw: Schema): fc.Arbitrary<unknown> {
  const schema = resolveSchema(components, raw);
  const options: unknown[] = [...wrongTypes(schema)];
  if (!schema.nullable) options.push(null);
  if (schema.enum) options.push('not-in-the-enum', `${String(schema.enum[0])} `, String(schema.enum[0]).toUpperCase());
  if (schema.type === 'number' || schema.type === 'integer') options.push(...boundaryNumbers(schema));
  if (schema.type === 'string') {
    if (schema.maxLength !== undefined) options.push('x'.repeat(schema.maxLength + 1), '😀'.repeat(schema.maxLength + 1));
    if (schema.minLength) options.push('x'.repeat(schema.minLength - 1));
    if (schema.format === 'date-time') options.push('not a date', '2026-13-45T25:61:00Z', '+275760-09-13T00:00:00.001Z');
    if (schema.format === 'uuid') options.push('not-a-uuid', '00000000-0000-0000-0000-00000000000g');
  }
  if (schema.type === 'array') {
    if (schema.minItems) options.push([]);
    if (schema.maxItems !== undefined) options.push(Array.from({ length: schema.maxItems + 1 }, (_, i) => `item${i}`));
  }
  const arbitraries: fc.Arbitrary<unknown>[] = [fc.constantFrom(...options)];
  if (schema.type === 'string' && schema.maxLength !== undefined) arbitraries.push(longText);
  if (schema.type === 'array' && schema.items) {
    arbitraries.push(invalidValue(components, schema.items).map((item) => [item]));
  }
  return fc.oneof(...arbitraries);
}

/** Every field of an object schema, nested ones as paths: [['title'], ['maxBudget'], ['maxBudget', 'amount'], …]. */
export function fieldPaths(components: Record<string, Schema>, raw: Schema, prefix: string[] = []): Array<{ path: string[]; schema: Schema }> {
  const schema = resolveSchema(components, raw);
  return Object.entries(schema.properties ?? {}).flatMap(([key, child]) => {
    const path = [...prefix, key];
    const resolved = resolveSchema(components, child);
    const object = resolved.properties ? resolved : resolved.anyOf?.map((option) => resolveSchema(components, option)).find((option) => option.properties);
    return [{ path, schema: child }, ...(object ? fieldPaths(components, object, path) : [])];
  });
}

/** A copy of `body` with the value at `path` replaced (`undefined` removes it); missing parents are made. */
export function setPath(body: unknown, path: string[], value: unknown): Record<string, unknown> {
  const base = body && typeof body === 'object' && !Array.isArray(body) ? { ...(body as Record<string, unknown>) } : {};
  const [head, ...rest] = path;
  if (rest.length === 0) {
    if (value === undefined) delete base[head];
    else base[head] = value;
    return base;
  }
  base[head] = setPath(base[head], rest, value);
  return base;
}

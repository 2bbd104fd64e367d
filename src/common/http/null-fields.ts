import { getMetadataStorage } from 'class-validator';

const NULLABLE = 'fixbid:nullable';

/**
 * `null` means something for this field (contract: `maxBudget: null` in PATCH /v1/requests/:id
 * removes the budget). Everywhere else the validation pipe refuses `null` with 400 invalid_field,
 * because @IsOptional() would let it through to a NOT NULL column (a 500). Document the field
 * `nullable: true` too: the generated null test reads the OpenAPI document.
 */
export const Nullable = (): PropertyDecorator => (target, property) => Reflect.defineMetadata(NULLABLE, true, target, property);

const knownByClass = new WeakMap<object, ReadonlySet<string>>();

/** The properties a DTO class validates (its parents' included); the whitelist refuses the rest. */
function knownProperties(type: object): ReadonlySet<string> {
  let known = knownByClass.get(type);
  if (!known) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(type as new () => unknown, '', true, false);
    known = new Set(metadata.map((m) => m.propertyName));
    knownByClass.set(type, known);
  }
  return known;
}

const isDtoInstance = (value: unknown): value is object =>
  value !== null && typeof value === 'object' && Object.getPrototypeOf(value) !== Object.prototype && !Array.isArray(value);

/**
 * The dotted path of the first known field holding a `null` it may not hold, in a DTO instance
 * as class-transformer built it (nested DTOs included, arrays by their field's name); unknown
 * fields are left to the whitelist (400 unknown_field).
 */
export function firstForbiddenNull(dto: object, prefix = ''): string | undefined {
  const type = dto.constructor;
  const known = knownProperties(type);
  for (const [key, value] of Object.entries(dto)) {
    if (!known.has(key)) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (value === null) {
      if (Reflect.getMetadata(NULLABLE, type.prototype as object, key) !== true) return path;
      continue;
    }
    const children: unknown[] = Array.isArray(value) ? value : [value];
    if (children.some((child) => child === null)) return path;
    for (const child of children) {
      const nested = isDtoInstance(child) ? firstForbiddenNull(child, path) : undefined;
      if (nested) return nested;
    }
  }
  return undefined;
}

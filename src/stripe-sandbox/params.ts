import { paramError } from './errors';
import { FormObject, FormValue } from './form-body';

/** Reads typed values out of Stripe's string-only form parameters, failing like Stripe does. */
export class Params {
  constructor(readonly raw: FormObject) {}

  /** Stripe rejects parameters it does not know ("Received unknown parameter: x"). */
  allowOnly(allowed: readonly string[]): this {
    for (const key of Object.keys(this.raw)) {
      if (!allowed.includes(key)) {
        throw paramError(`Received unknown parameter: ${key}`, 'parameter_unknown', key);
      }
    }
    return this;
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  string(name: string): string | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      throw paramError(`Invalid string: ${JSON.stringify(value).slice(0, 60)}`, 'parameter_invalid_string', name);
    }
    return value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw missing(name);
    if (value === '') throw emptyString(name);
    return value;
  }

  /** An optional string where '' means "unset" (Stripe's Emptyable). */
  nullableString(name: string): string | null | undefined {
    const value = this.string(name);
    return value === '' ? null : value;
  }

  integer(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!/^-?\d{1,15}$/.test(value)) {
      throw paramError(`Invalid integer: ${value}`, 'parameter_invalid_integer', name);
    }
    return Number(value);
  }

  requiredInteger(name: string): number {
    const value = this.integer(name);
    if (value === undefined) throw missing(name);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false') {
      throw paramError(`Invalid boolean: ${value}`, 'parameter_invalid_boolean', name);
    }
    return value === 'true';
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value === undefined || value === '') return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      const list = allowed.join(', ');
      throw paramError(`Invalid ${name}: must be one of ${list}`, 'parameter_invalid_string', name);
    }
    return value as T;
  }

  object(name: string): FormObject | undefined {
    const value = this.raw[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string' || Array.isArray(value)) {
      throw paramError(`Invalid object`, 'parameter_invalid_object', name);
    }
    return value;
  }

  stringArray(name: string): string[] | undefined {
    const value: FormValue | undefined = this.raw[name];
    if (value === undefined || value === '') return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw paramError(`Invalid array`, 'parameter_invalid_array', name);
    }
    return value as string[];
  }

  expand(): string[] {
    return this.stringArray('expand') ?? [];
  }

  currency(name = 'currency'): string {
    const value = this.requiredString(name).toLowerCase();
    if (!/^[a-z]{3}$/.test(value)) throw paramError(`Invalid currency: ${value}`, 'parameter_invalid_string', name);
    return value;
  }
}

export function missing(name: string) {
  return paramError(`Missing required param: ${name}.`, 'parameter_missing', name);
}

function emptyString(name: string) {
  return paramError(
    `You passed an empty string for '${name}'. We assume empty values are an attempt to unset a parameter; however '${name}' cannot be unset. You should remove '${name}' from your request or supply a non-empty value.`,
    'parameter_invalid_empty',
    name,
  );
}

/**
 * Metadata as Stripe applies it: keys merge into what is there, a key set to '' is removed,
 * and `metadata=''` clears everything. Limits: 50 keys, 40-char keys, 500-char values.
 */
export function applyMetadata(current: Record<string, string>, params: Params): Record<string, string> {
  const raw = params.raw.metadata;
  if (raw === undefined) return current;
  if (raw === '') return {};
  if (typeof raw === 'string' || Array.isArray(raw)) {
    throw paramError('Invalid object', 'parameter_invalid_object', 'metadata');
  }
  const next = { ...current };
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') throw paramError('Invalid metadata value', 'parameter_invalid_string', `metadata[${key}]`);
    if (key.length > 40) throw paramError('Metadata keys can be at most 40 characters long.', 'parameter_invalid_string', `metadata[${key}]`);
    if (value.length > 500) throw paramError('Metadata values can be at most 500 characters long.', 'parameter_invalid_string', `metadata[${key}]`);
    if (value === '') delete next[key];
    else next[key] = value;
  }
  if (Object.keys(next).length > 50) throw paramError('You can have at most 50 metadata keys.', 'parameter_invalid_string', 'metadata');
  return next;
}

/** Stripe's minimum charge is $0.50 or its equivalent; this sandbox applies 50 to the common currencies. */
const MINIMUM_AMOUNT: Record<string, number> = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, chf: 50 };

export function checkChargeAmount(amount: number, currency: string): void {
  const minimum = MINIMUM_AMOUNT[currency] ?? 1;
  if (amount < minimum) {
    const shown = (minimum / 100).toFixed(2);
    throw paramError(`Amount must be at least ${shown} ${currency}`, 'amount_too_small', 'amount');
  }
  if (amount > 99_999_999) {
    throw paramError('Amount must be no more than 999,999.99', 'amount_too_large', 'amount');
  }
}

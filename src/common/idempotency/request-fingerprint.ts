import { createHash } from 'node:crypto';
import { Principal } from '../auth/principal';

/** 1..255 printable ASCII characters (Stripe's limit); anything else is 400 `invalid_idempotency_key` (B7). */
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export type KeyCheck = { present: false } | { present: true; valid: true; key: string } | { present: true; valid: false };

/** Reads the Idempotency-Key header; a repeated header arrives joined with ", " and is judged as one value. */
export function readIdempotencyKey(header: string | string[] | undefined): KeyCheck {
  if (header === undefined) return { present: false };
  const value = Array.isArray(header) ? header.join(', ') : header;
  return KEY_PATTERN.test(value) ? { present: true, valid: true, key: value } : { present: true, valid: false };
}

/**
 * Who a key belongs to (I4): the authenticated user (and the partner acting for them), otherwise
 * the client address. The rate limiter tracks callers by the same string.
 */
export function callerKey(principal: Principal | undefined, ip: string): string {
  if (!principal) return `anon:${ip}`;
  if (principal.partnerId) return principal.userId ? `partner:${principal.partnerId}:user:${principal.userId}` : `partner:${principal.partnerId}`;
  return `user:${principal.userId}`;
}

/** JSON with object keys sorted at every depth, so `{a,b}` and `{b,a}` are the same request. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

/**
 * What "the same request" means for a key (I1/I2): method, concrete path with its params and
 * query, and the body in canonical form. Hashed, so the table never holds bodies it does not need.
 */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()}\n${url}\n${canonicalJson(body)}`).digest('hex');
}

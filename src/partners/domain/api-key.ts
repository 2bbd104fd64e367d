/**
 * The API key's shape (contract §2, S6): `<prefix>_<keyId>_<secret>`, the prefix `fxb_test` in
 * sandbox mode and `fxb_live` otherwise, the key id a UUID (the row to look up), the secret 32
 * random bytes in base64url (256 bits: no slow hash needed, a SHA-256 is stored). Pure.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const KEY_PREFIXES = { sandbox: 'fxb_test', live: 'fxb_live' } as const;
export type KeyPrefix = (typeof KEY_PREFIXES)[keyof typeof KEY_PREFIXES];

const SECRET_BYTES = 32;
const KEY_PATTERN = /^(fxb_[a-z]+)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface ParsedKey {
  readonly prefix: string;
  readonly keyId: string;
  readonly secret: string;
}

/** The parts of a key, or null when it does not have the shape (truncated, padded, another scheme). */
export function parseApiKey(raw: string): ParsedKey | null {
  if (raw.length > 200) return null;
  const match = KEY_PATTERN.exec(raw);
  return match ? { prefix: match[1], keyId: match[2], secret: match[3] } : null;
}

export function newKeySecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

export function formatApiKey(prefix: KeyPrefix, keyId: string, secret: string): string {
  return `${prefix}_${keyId}_${secret}`;
}

export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Digest equality in constant time (both are SHA-256 digests, so equal lengths). */
export function digestsMatch(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A digest no secret hashes to in practice: compared against when there is no stored one, so a miss costs what a hit costs. */
export const NO_DIGEST = Buffer.alloc(32);

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The contract's signature for outgoing webhooks (§3, W5, W6):
 * `Fixbid-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * During a secret rotation both live secrets sign, one `v1=` each, so a receiver holding either
 * secret verifies. The key is the whole secret string, `whsec_` prefix included, as Stripe does.
 */
export const SIGNATURE_HEADER = 'Fixbid-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
const UNIX_SECONDS = /^[0-9]{1,12}$/;
// A header longer than this is not ours; refusing it early bounds the work an attacker can cause.
const MAX_HEADER_LENGTH = 4096;

/** A new endpoint secret: `whsec_` + 32 random bytes as base64url (W6 asks for at least 24). */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
}

function hmacHex(secret: string, timestampSeconds: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`, 'utf8').digest('hex');
}

/** The header value for one attempt; every retry signs again with a fresh timestamp (W5). */
export function signatureHeader(secrets: readonly string[], timestampSeconds: number, rawBody: string): string {
  if (secrets.length === 0) throw new Error('signatureHeader needs at least one secret');
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new Error('signatureHeader needs a timestamp in whole unix seconds');
  }
  const signatures = secrets.map((secret) => `v1=${hmacHex(secret, timestampSeconds, rawBody)}`);
  return [`t=${timestampSeconds}`, ...signatures].join(',');
}

interface ParsedHeader {
  timestamp: number;
  signatures: Buffer[];
}

/** Null for anything that is not exactly one `t=` and at least one well-formed `v1=`. */
function parseHeader(header: string): ParsedHeader | null {
  if (typeof header !== 'string' || header.length > MAX_HEADER_LENGTH) return null;
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== null || !UNIX_SECONDS.test(value)) return null;
      timestamp = Number(value);
    } else if (key === 'v1') {
      // Case-insensitive hex, as receivers in other languages may upper-case it.
      const hex = value.toLowerCase();
      if (!HEX_SHA256.test(hex)) return null;
      signatures.push(Buffer.from(hex, 'hex'));
    }
    // Other schemes (a future v2) are skipped, so adding one does not break today's receivers.
  }
  if (timestamp === null || signatures.length === 0) return null;
  return { timestamp, signatures };
}

/**
 * True when one of the header's `v1=` values is this secret's signature and `t` is within
 * `toleranceSeconds` of now either way (a replayed or pre-dated request fails). Never throws.
 */
export function verifySignature(
  header: string,
  secret: string,
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  const parsed = parseHeader(header);
  if (parsed === null || typeof secret !== 'string' || secret.length === 0) return false;
  if (!Number.isFinite(nowSeconds) || Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, parsed.timestamp, rawBody), 'hex');
  // Compare against every candidate without stopping early, so timing does not say which matched.
  let matched = false;
  for (const candidate of parsed.signatures) {
    if (timingSafeEqual(candidate, expected)) matched = true;
  }
  return matched;
}

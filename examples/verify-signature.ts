import { createHmac, timingSafeEqual } from 'node:crypto';

/** True when `header` (Fixbid-Signature) signs `rawBody` with `secret` and is at most 5 minutes old. */
export function verifyFixbidSignature(header: string, rawBody: string, secret: string, toleranceSeconds = 300): boolean {
  const parts = header.split(',').map((part) => part.trim().split('='));
  const t = Number(parts.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return parts.some(([key, hex]) => key === 'v1' && /^[0-9a-f]{64}$/i.test(hex) && timingSafeEqual(Buffer.from(hex, 'hex'), expected));
}

import { createHash, randomBytes } from 'node:crypto';

/** Refresh tokens live 30 days from issue; each use rotates them (S5). */
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export interface StoredRefreshToken {
  expiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

/**
 * What presenting a stored token means. `reused` — it was already exchanged — is the theft
 * signal: someone else holds a copy, so the caller revokes the whole family.
 */
export type RefreshVerdict = 'unknown' | 'revoked' | 'reused' | 'expired' | 'valid';

export function judgeRefreshToken(token: StoredRefreshToken | null, now: Date): RefreshVerdict {
  if (!token) return 'unknown';
  if (token.revokedAt) return 'revoked';
  if (token.rotatedAt) return 'reused';
  if (token.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'valid';
}

/** 32 random bytes, base64url: the opaque token handed to the client once. */
export function newRefreshTokenValue(): string {
  return randomBytes(32).toString('base64url');
}

/** Only this digest is stored; a database leak yields no usable token. */
export function hashRefreshToken(token: string): string {
  const hash = createHash('sha256');
  // Stryker disable next-line StringLiteral: Node reads a string under an empty encoding as UTF-8, the same bytes
  hash.update(token, 'utf8');
  return hash.digest('hex');
}

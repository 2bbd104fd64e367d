import { hashRefreshToken, judgeRefreshToken, newRefreshTokenValue, REFRESH_TOKEN_TTL_MS } from './refresh-rotation';

describe('S5 refresh token verdicts', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const later = new Date('2026-01-02T00:00:00Z');
  const earlier = new Date('2025-12-31T00:00:00Z');

  it.each([
    ['unknown', null],
    ['valid', { expiresAt: later, rotatedAt: null, revokedAt: null }],
    ['reused', { expiresAt: later, rotatedAt: earlier, revokedAt: null }],
    ['revoked', { expiresAt: later, rotatedAt: earlier, revokedAt: earlier }],
    ['revoked', { expiresAt: later, rotatedAt: null, revokedAt: earlier }],
    ['expired', { expiresAt: now, rotatedAt: null, revokedAt: null }],
    ['expired', { expiresAt: earlier, rotatedAt: null, revokedAt: null }],
  ] as const)('%s', (verdict, token) => {
    expect(judgeRefreshToken(token, now)).toBe(verdict);
  });

  it('tokens are 256-bit base64url and stored as a SHA-256 hex digest', () => {
    const token = newRefreshTokenValue();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newRefreshTokenValue()).not.toBe(token);
    expect(hashRefreshToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRefreshToken(token)).toBe(hashRefreshToken(token));
  });

  it('S5 a refresh token lives 30 days (contract): valid up to the last millisecond, expired from then on', () => {
    const issued = new Date('2026-01-01T00:00:00Z');
    const token = { expiresAt: new Date(issued.getTime() + REFRESH_TOKEN_TTL_MS), rotatedAt: null, revokedAt: null };
    const thirtyDays = 30 * 24 * 3_600_000;
    expect(judgeRefreshToken(token, new Date(issued.getTime() + thirtyDays - 1))).toBe('valid');
    expect(judgeRefreshToken(token, new Date(issued.getTime() + thirtyDays))).toBe('expired');
  });
});

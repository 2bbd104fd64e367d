import { randomUUID } from 'node:crypto';
import { digestsMatch, formatApiKey, newKeySecret, NO_DIGEST, parseApiKey, secretDigest } from './api-key';

describe('API keys (S6)', () => {
  const id = randomUUID();

  it('format and parse round-trip; the secret has 256 random bits', () => {
    const secret = newKeySecret();
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    const key = formatApiKey('fxb_test', id, secret);
    expect(key.startsWith(`fxb_test_${id}_`)).toBe(true);
    expect(parseApiKey(key)).toEqual({ prefix: 'fxb_test', keyId: id, secret });
    expect(newKeySecret()).not.toBe(secret);
  });

  it('a secret with underscores and dashes (base64url) still parses: the id has a fixed shape', () => {
    const secret = '_'.repeat(20) + '-'.repeat(23);
    expect(parseApiKey(`fxb_live_${id}_${secret}`)).toEqual({ prefix: 'fxb_live', keyId: id, secret });
  });

  it.each([
    ['truncated', (k: string) => k.slice(0, -1)],
    ['one character more', (k: string) => `${k}A`],
    ['no prefix', (k: string) => k.replace(/^fxb_test_/, '')],
    ['upper-case id', (k: string) => k.replace(id, id.toUpperCase())],
    ['a space inside', (k: string) => k.replace('_', ' _')],
    ['empty', () => ''],
    ['huge', (k: string) => k.repeat(10)],
  ])('malformed: %s → null', (_name, mangle) => {
    expect(parseApiKey(mangle(formatApiKey('fxb_test', id, newKeySecret())))).toBeNull();
  });

  it('only the digest is compared, in constant time; the no-digest placeholder matches no secret', () => {
    const secret = newKeySecret();
    expect(digestsMatch(secretDigest(secret), secretDigest(secret))).toBe(true);
    expect(digestsMatch(secretDigest(secret), secretDigest(newKeySecret()))).toBe(false);
    expect(digestsMatch(secretDigest(secret), NO_DIGEST)).toBe(false);
    expect(digestsMatch(secretDigest(secret), Buffer.alloc(3))).toBe(false);
  });
});

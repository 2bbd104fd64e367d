import fc from 'fast-check';
import { callerKey, canonicalJson, readIdempotencyKey, requestFingerprint } from './request-fingerprint';

describe('readIdempotencyKey', () => {
  it('accepts 1 and 255 printable characters', () => {
    expect(readIdempotencyKey('a')).toEqual({ present: true, valid: true, key: 'a' });
    const key = 'k'.repeat(255);
    expect(readIdempotencyKey(key)).toEqual({ present: true, valid: true, key });
    expect(readIdempotencyKey(' !~ spaces and symbols ')).toMatchObject({ valid: true });
  });

  it.each([
    ['B7 256 characters', 'k'.repeat(256)],
    ['empty', ''],
    ['a control character', 'abc\tdef'],
    ['non-ASCII', 'clé'],
  ])('refuses %s', (_name, value) => {
    expect(readIdempotencyKey(value)).toEqual({ present: true, valid: false });
  });

  it('no header → not present', () => {
    expect(readIdempotencyKey(undefined)).toEqual({ present: false });
  });
});

describe('callerKey (I4)', () => {
  it('scopes keys to the user, the partner acting for them, or the anonymous address', () => {
    expect(callerKey({ userId: 'u1', role: 'customer' }, '10.0.0.1')).toBe('user:u1');
    expect(callerKey({ userId: 'u1', role: 'customer', partnerId: 'p1' }, '10.0.0.1')).toBe('partner:p1:user:u1');
    expect(callerKey(undefined, '10.0.0.1')).toBe('anon:10.0.0.1');
  });
});

describe('requestFingerprint', () => {
  it('ignores key order at every depth', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(requestFingerprint('POST', '/v1/x', reversed)).toBe(requestFingerprint('POST', '/v1/x', obj));
      }),
    );
    expect(canonicalJson({ b: { d: 1, c: [2, { f: 1, e: 2 }] }, a: null })).toBe('{"a":null,"b":{"c":[2,{"e":2,"f":1}],"d":1}}');
  });

  it('differs when the body, the path or the method differs (I2)', () => {
    const base = requestFingerprint('POST', '/v1/requests/1/bids', { amount: 500 });
    expect(requestFingerprint('POST', '/v1/requests/1/bids', { amount: 501 })).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/requests/2/bids', { amount: 500 })).not.toBe(base);
    expect(requestFingerprint('PUT', '/v1/requests/1/bids', { amount: 500 })).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/requests/1/bids', { amount: 500 })).toBe(base);
  });

  it('an empty body and an empty object are different requests, both hashable', () => {
    expect(requestFingerprint('POST', '/v1/x', undefined)).not.toBe(requestFingerprint('POST', '/v1/x', {}));
  });
});

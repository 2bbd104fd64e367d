import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { newWebhookSecret, signatureHeader, verifySignature } from './webhook-signature';

const T = 1_700_000_000;
const BODY = '{"id":"evt_1","type":"ping","data":{"object":{}}}';
const OLD = 'whsec_old-secret-0123456789abcdef';
const NEW = 'whsec_new-secret-fedcba9876543210';

describe('W5 outgoing webhook signature', () => {
  it('matches a known-answer vector computed independently with createHmac', () => {
    const expected = createHmac('sha256', 'whsec_test').update('1700000000.{"a":1}').digest('hex');
    expect(signatureHeader(['whsec_test'], T, '{"a":1}')).toBe(`t=1700000000,v1=${expected}`);
  });

  it('round-trips: what we sign verifies with the same secret', () => {
    const header = signatureHeader([OLD], T, BODY);
    expect(verifySignature(header, OLD, BODY, T)).toBe(true);
  });

  it('round-trips for any body, secret and time within the tolerance', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.integer({ min: 0, max: 4_000_000_000 }), fc.integer({ min: -300, max: 300 }),
        (body, secret, t, skew) => verifySignature(signatureHeader([secret], t, body), secret, body, t + skew)),
    );
  });

  it('W6 rotation: two secrets give two v1 values and either secret verifies', () => {
    const header = signatureHeader([OLD, NEW], T, BODY);
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(header.startsWith(`t=${T},v1=`)).toBe(true);
    expect(verifySignature(header, OLD, BODY, T)).toBe(true);
    expect(verifySignature(header, NEW, BODY, T)).toBe(true);
    expect(verifySignature(header, 'whsec_third', BODY, T)).toBe(false);
  });

  it('refuses a tampered body and a wrong secret', () => {
    const header = signatureHeader([OLD], T, BODY);
    expect(verifySignature(header, OLD, BODY.replace('ping', 'pong'), T)).toBe(false);
    expect(verifySignature(header, OLD, `${BODY} `, T)).toBe(false);
    expect(verifySignature(header, NEW, BODY, T)).toBe(false);
    expect(verifySignature(header, '', BODY, T)).toBe(false);
  });

  it('refuses a tampered timestamp (it is signed too)', () => {
    const header = signatureHeader([OLD], T, BODY).replace(`t=${T}`, `t=${T + 1}`);
    expect(verifySignature(header, OLD, BODY, T)).toBe(false);
  });

  it.each([
    ['301 s old', T + 301, false],
    ['300 s old', T + 300, true],
    ['300 s ahead', T - 300, true],
    ['301 s ahead', T - 301, false],
    ['a day old', T + 86_400, false],
  ])('refuses a stale or future timestamp: %s', (_label, now, ok) => {
    expect(verifySignature(signatureHeader([OLD], T, BODY), OLD, BODY, now)).toBe(ok);
  });

  it('honours a custom tolerance', () => {
    const header = signatureHeader([OLD], T, BODY);
    expect(verifySignature(header, OLD, BODY, T + 10, 5)).toBe(false);
    expect(verifySignature(header, OLD, BODY, T + 5, 5)).toBe(true);
  });

  const valid = signatureHeader([OLD], T, BODY);
  const v1 = valid.split(',')[1];
  it.each([
    ['empty', ''],
    ['no t', v1],
    ['no v1', `t=${T}`],
    ['two t', `t=${T},t=${T},${v1}`],
    ['t not a number', `t=abc,${v1}`],
    ['t negative', `t=-1,${v1}`],
    ['t with exponent', `t=1.7e9,${v1}`],
    ['v1 too short', `t=${T},v1=abcd`],
    ['v1 not hex', `t=${T},v1=${'z'.repeat(64)}`],
    ['v1 too long', `t=${T},${v1}00`],
    ['a part without =', `t=${T},${v1},junk`],
    ['empty key', `t=${T},=x,${v1}`],
    ['only separators', ',,,'],
    ['huge', `t=${T},${v1},${'v0=x,'.repeat(2000)}`],
  ])('refuses a malformed header without throwing: %s', (_label, header) => {
    expect(() => verifySignature(header, OLD, BODY, T)).not.toThrow();
    expect(verifySignature(header, OLD, BODY, T)).toBe(false);
  });

  it('refuses non-string input without throwing', () => {
    expect(verifySignature(undefined as unknown as string, OLD, BODY, T)).toBe(false);
    expect(verifySignature(valid, OLD, BODY, Number.NaN)).toBe(false);
  });

  it('never throws on arbitrary header strings', () => {
    fc.assert(fc.property(fc.string(), (header) => verifySignature(header, OLD, BODY, T) === false));
  });

  it('accepts spaces after commas, upper-case hex and unknown schemes', () => {
    const [t, sig] = valid.split(',');
    expect(verifySignature(`${t}, v0=whatever, ${sig.toUpperCase().replace('V1=', 'v1=')}`, OLD, BODY, T)).toBe(true);
  });

  it('refuses to sign with no secret or a fractional timestamp', () => {
    expect(() => signatureHeader([], T, BODY)).toThrow();
    expect(() => signatureHeader([OLD], 1.5, BODY)).toThrow();
  });

  it('W6 a new secret is whsec_ + at least 24 random bytes, base64url', () => {
    const secrets = new Set(Array.from({ length: 50 }, () => newWebhookSecret()));
    expect(secrets.size).toBe(50);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]+$/);
      expect(Buffer.from(secret.slice('whsec_'.length), 'base64url').length).toBeGreaterThanOrEqual(24);
    }
  });
});

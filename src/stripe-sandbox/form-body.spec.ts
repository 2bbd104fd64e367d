import { canonicalJson, FormParseError, parseFormBody } from './form-body';

describe('parseFormBody (Stripe bracket notation)', () => {
  it('reads nested objects and indexed arrays the way stripe-node encodes them', () => {
    const body = 'amount=5000&metadata[requestId]=r%201&expand[0]=latest_charge&expand[1]=customer&capabilities[transfers][requested]=true';
    expect(parseFormBody(body)).toEqual({
      amount: '5000',
      metadata: { requestId: 'r 1' },
      expand: ['latest_charge', 'customer'],
      capabilities: { transfers: { requested: 'true' } },
    });
  });

  it('reads curl-style empty brackets, plus signs and percent-encoded brackets', () => {
    expect(parseFormBody('expand[]=a&expand[]=b&description=fix+my+wifi&metadata%5Bk%5D=v')).toEqual({
      expand: ['a', 'b'],
      description: 'fix my wifi',
      metadata: { k: 'v' },
    });
  });

  it('keeps numeric metadata keys as an object, and an empty value as the empty string (unset)', () => {
    expect(parseFormBody('metadata[0]=zero&metadata[1]=one&description=')).toEqual({ metadata: { 0: 'zero', 1: 'one' }, description: '' });
  });

  it('ignores prototype-polluting keys and rejects malformed encoding', () => {
    const parsed = parseFormBody('__proto__[admin]=true&a[constructor][x]=1&ok=1');
    expect(parsed).toEqual({ a: {}, ok: '1' });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(() => parseFormBody('a=%E0%A4%A')).toThrow(FormParseError);
  });

  it('canonicalJson is independent of parameter order (idempotency fingerprints)', () => {
    const a = parseFormBody('amount=1&currency=usd&metadata[b]=2&metadata[a]=1');
    const b = parseFormBody('metadata[a]=1&currency=usd&metadata[b]=2&amount=1');
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).not.toBe(canonicalJson(parseFormBody('amount=2&currency=usd&metadata[b]=2&metadata[a]=1')));
  });
});

import { STRIPE_KEY_MAX_AGE_MS, stripeKey } from './stripe-keys';

const decided = new Date('2030-01-01T00:00:00Z');
const after = (ms: number) => new Date(decided.getTime() + ms);

describe('stripeKey (M3: no key reused after 23 h)', () => {
  it('the base key for 23 hours from the decision', () => {
    expect(stripeKey('refund:d1', decided, decided)).toEqual({ key: 'refund:d1', renewed: false });
    expect(stripeKey('refund:d1', decided, after(STRIPE_KEY_MAX_AGE_MS - 1))).toEqual({ key: 'refund:d1', renewed: false });
  });

  it('from 23 hours on, a new key per 23-hour period, and the caller must look up first', () => {
    expect(stripeKey('refund:d1', decided, after(STRIPE_KEY_MAX_AGE_MS))).toEqual({ key: 'refund:d1:renewed:1', renewed: true });
    expect(stripeKey('refund:d1', decided, after(2 * STRIPE_KEY_MAX_AGE_MS - 1))).toEqual({ key: 'refund:d1:renewed:1', renewed: true });
    expect(stripeKey('refund:d1', decided, after(2 * STRIPE_KEY_MAX_AGE_MS))).toEqual({ key: 'refund:d1:renewed:2', renewed: true });
  });

  it('a clock behind the decision keeps the base key', () => {
    expect(stripeKey('transfer:e1', decided, after(-60_000))).toEqual({ key: 'transfer:e1', renewed: false });
  });
});

import Stripe from 'stripe';
import { AppConfig } from '../../config/app-config';
import { StripeWebhookVerifier } from './stripe-webhook.verifier';

const secret = 'whsec_unit_test_secret';
const stripe = new Stripe('sk_test_unit', { telemetry: false });
const verifier = new StripeWebhookVerifier(stripe, { stripe: { webhookSecret: secret } } as AppConfig);
const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded', created: 1, data: { object: { id: 'pi_1' } } });
const header = (timestamp: number, key = secret) => Stripe.webhooks.generateTestHeaderString({ payload, secret: key, timestamp });
/** Fresh for every signature: a slow run must not push a case across the 300 s edge. */
const now = () => Math.floor(Date.now() / 1000);

describe('StripeWebhookVerifier (W1, B8, F8)', () => {
  it('accepts a good signature within ±300 s (290 s either way)', () => {
    expect(verifier.verify(Buffer.from(payload), header(now())).id).toBe('evt_1');
    expect(verifier.verify(Buffer.from(payload), header(now() - 290)).type).toBe('payment_intent.succeeded');
    expect(verifier.verify(Buffer.from(payload), header(now() + 290)).id).toBe('evt_1');
  });

  it.each([
    ['301 s old', () => header(now() - 301)],
    ['more than 300 s ahead', () => header(now() + 302)],
    ['another secret', () => header(now(), 'whsec_other')],
    ['no v1 signature', () => `t=${now()}`],
    ['garbage', () => 'hello'],
  ])('refuses %s with 400 invalid_signature', (_what, make) => {
    expect(() => verifier.verify(Buffer.from(payload), make())).toThrow(expect.objectContaining({ code: 'invalid_signature', status: 400 }));
  });

  it('F8 exactly 301 s ahead is refused, 300 s ahead is not (measured against the same clock)', () => {
    const t = now();
    expect(() => verifier.verify(Buffer.from(payload), header(t + 301), t * 1000)).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    expect(verifier.verify(Buffer.from(payload), header(t + 300), t * 1000).id).toBe('evt_1');
  });

  it('refuses a missing header, an empty body, a re-serialized body and no configured secret', () => {
    expect(() => verifier.verify(Buffer.from(payload), undefined)).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    expect(() => verifier.verify(Buffer.from(payload), [header(now()), header(now())])).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    expect(() => verifier.verify(undefined, header(now()))).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    const reserialized = JSON.stringify(JSON.parse(payload), null, 2);
    expect(() => verifier.verify(Buffer.from(reserialized), header(now()))).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
    const unconfigured = new StripeWebhookVerifier(stripe, { stripe: {} } as AppConfig);
    expect(() => unconfigured.verify(Buffer.from(payload), header(now()))).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
  });
});

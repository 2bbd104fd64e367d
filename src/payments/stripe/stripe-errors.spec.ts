import Stripe from 'stripe';
import { DomainError } from '../../common/errors/domain-error';
import { toPaymentProviderError } from './stripe-errors';

describe('Stripe errors → the contract envelope', () => {
  const raw = { message: 'x', type: 'api_error' } as never;
  it.each([
    [new Stripe.errors.StripeConnectionError(raw), 503, 'payment_provider_unavailable'],
    [new Stripe.errors.StripeRateLimitError(raw), 503, 'payment_provider_unavailable'],
    [new Stripe.errors.StripeAPIError(raw), 502, 'payment_provider_error'],
    [new Stripe.errors.StripeInvalidRequestError(raw), 502, 'payment_provider_error'],
    [new Stripe.errors.StripeIdempotencyError(raw), 502, 'payment_provider_error'],
    [new Stripe.errors.StripeAuthenticationError(raw), 502, 'payment_provider_error'],
  ])('%p → %i %s', (err, status, code) => {
    expect(toPaymentProviderError(err)).toMatchObject({ status, code });
  });

  it('leaves our own errors and programming errors alone', () => {
    const ours = new DomainError('not_found', 'x');
    const bug = new TypeError('x');
    expect(toPaymentProviderError(ours)).toBe(ours);
    expect(toPaymentProviderError(bug)).toBe(bug);
  });
});

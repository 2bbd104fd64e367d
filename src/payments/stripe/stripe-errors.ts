import Stripe from 'stripe';
import { DomainError } from '../../common/errors/domain-error';

/**
 * A Stripe call that failed, as the API's envelope: 503 `payment_provider_unavailable` when
 * Stripe could not be reached or asked us to slow down (retry later), 502
 * `payment_provider_error` when it answered with an error or with something we cannot trust.
 * `stripeCode` keeps Stripe's own code for the few callers that branch on it.
 */
export class PaymentProviderError extends DomainError {
  constructor(
    code: 'payment_provider_error' | 'payment_provider_unavailable',
    message: string,
    readonly stripeCode?: string,
    readonly stripeStatus?: number,
  ) {
    super(code, message);
  }
}

const UNAVAILABLE = 'The payment provider could not be reached; nothing was charged twice, retry the same call later.';
const FAILED = 'The payment provider refused or failed the operation; retry the same call later.';

export function toPaymentProviderError(err: unknown): unknown {
  if (err instanceof DomainError) return err;
  if (!(err instanceof Stripe.errors.StripeError)) return err;
  switch (err.type) {
    case 'StripeConnectionError':
    case 'StripeRateLimitError':
      return new PaymentProviderError('payment_provider_unavailable', UNAVAILABLE, err.code, err.statusCode);
    default:
      return new PaymentProviderError('payment_provider_error', FAILED, err.code, err.statusCode);
  }
}

/** API10: Stripe answered with something outside what its spec promises; we act on none of it. */
export function untrustedAnswer(what: string): PaymentProviderError {
  return new PaymentProviderError('payment_provider_error', `Unexpected answer from the payment provider (${what}).`);
}

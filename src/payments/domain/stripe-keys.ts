/**
 * Stripe remembers an idempotency key for at least 24 hours, then forgets it: a retry under an
 * older key would create a second object. So a key is used for 23 hours from the decision it
 * names, and after that a new key per 23-hour period — and the caller must first look for what an
 * earlier attempt made (by listing: Refunds by PaymentIntent, Transfers by transfer_group,
 * PaymentIntents by our metadata), since the new key protects nothing from before. Pure.
 */

export const STRIPE_KEY_MAX_AGE_MS = 23 * 3_600_000;

export interface StripeKey {
  /** The key to send. */
  readonly key: string;
  /** True once the base key is too old: look up an earlier object before creating. */
  readonly renewed: boolean;
}

export function stripeKey(base: string, decidedAt: Date, now: Date): StripeKey {
  const periods = Math.floor((now.getTime() - decidedAt.getTime()) / STRIPE_KEY_MAX_AGE_MS);
  if (periods <= 0) return { key: base, renewed: false };
  return { key: `${base}:renewed:${periods}`, renewed: true };
}

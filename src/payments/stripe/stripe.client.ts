import { Provider } from '@nestjs/common';
import Stripe from 'stripe';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

/** The official SDK instance, injected with `@Inject(STRIPE_CLIENT) stripe: Stripe`. */
export const STRIPE_CLIENT = Symbol('STRIPE_CLIENT');

/** The key the sandbox accepts (any sk_test_ key would do); never a real one. */
export const SANDBOX_SECRET_KEY = 'sk_test_sandbox';

/**
 * API10: every call has a 10 s timeout and at most two network retries (the SDK retries only
 * what is safe: connection errors, 409 lock timeouts, 5xx, all with the same idempotency key).
 * The SDK's node client never follows redirects. Sandbox mode points it at the emulator.
 */
export function createStripeClient(config: AppConfig): Stripe {
  const common = { timeout: 10_000, maxNetworkRetries: 2, telemetry: false, appInfo: { name: 'fixbid' } };
  if (config.stripe.sandbox) {
    return new Stripe(SANDBOX_SECRET_KEY, { ...common, host: '127.0.0.1', port: config.stripe.sandboxPort, protocol: 'http' });
  }
  if (!config.stripe.secretKey) throw new Error('STRIPE_SECRET_KEY is required outside sandbox mode');
  return new Stripe(config.stripe.secretKey, common);
}

export const stripeClientProvider: Provider = {
  provide: STRIPE_CLIENT,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => createStripeClient(config),
};

import Stripe from 'stripe';
import type { StripeSandbox } from '../../src/stripe-sandbox';
import type { TestApp } from './test-app';

/** The official SDK pointed at a sandbox, without retries unless asked; a `pk_` key is the customer's browser. */
export function sandboxStripe(sandbox: StripeSandbox, options: Stripe.StripeConfig & { key?: string } = {}): Stripe {
  const { key = 'sk_test_sandbox', ...config } = options;
  return new Stripe(key, { host: '127.0.0.1', port: sandbox.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false, ...config });
}

/** The platform's own view of the app's sandbox (secret key): what really exists at "Stripe". */
export function platformStripe(t: TestApp): Stripe {
  return sandboxStripe(t.sandbox);
}

/** Opens a Connect onboarding link as the expert's browser would: the sandbox completes onboarding. */
export async function openOnboardingLink(url: string): Promise<void> {
  const page = await fetch(url);
  if (page.status !== 200) throw new Error(`onboarding page answered ${page.status}`);
  await page.text();
}

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

async function sandboxHook<T>(t: TestApp, path: string, form: Record<string, string | number | boolean> = {}): Promise<T> {
  const body = new URLSearchParams(Object.fromEntries(Object.entries(form).map(([k, v]) => [k, String(v)]))).toString();
  const res = await fetch(`${t.sandbox.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The customer's bank opens a chargeback on the charge (all of it unless `amount`); the sandbox sends charge.dispute.created. */
export function openChargeback(t: TestApp, chargeId: string, options: { amount?: number; reason?: string; inquiry?: boolean } = {}): Promise<Stripe.Dispute> {
  return sandboxHook(t, `/sandbox/charges/${chargeId}/dispute`, { reason: options.reason ?? 'fraudulent', ...(options.amount && { amount: options.amount }), ...(options.inquiry && { inquiry: true }) });
}

/** The bank decides: won, lost (a chargeback), warning_closed or escalate (an inquiry), with Stripe's events. */
export function decideChargeback(t: TestApp, disputeId: string, outcome: 'won' | 'lost' | 'warning_closed' | 'escalate'): Promise<Stripe.Dispute> {
  return sandboxHook(t, `/sandbox/disputes/${disputeId}/decide`, { outcome });
}

/** Stripe fails a refund that had succeeded (charge.refund.updated, refund.failed). */
export function failRefund(t: TestApp, refundId: string, failureReason = 'expired_or_canceled_card'): Promise<Stripe.Refund> {
  return sandboxHook(t, `/sandbox/refunds/${refundId}/fail`, { failure_reason: failureReason });
}

/** A connected account's available balance (what a Transfer reversal can take back). */
export function setConnectedBalance(t: TestApp, accountId: string, available: number, currency = 'usd'): Promise<unknown> {
  return sandboxHook(t, `/sandbox/accounts/${accountId}/balance`, { available, currency });
}

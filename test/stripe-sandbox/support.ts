import http from 'node:http';
import Stripe from 'stripe';
import { startStripeSandbox, StripeSandbox, StripeSandboxOptions } from '../../src/stripe-sandbox';
import { openOnboardingLink } from '../support/stripe';

export const WEBHOOK_SECRET = 'whsec_sandbox_test_secret';

export async function startSandbox(options: Partial<StripeSandboxOptions> = {}): Promise<StripeSandbox> {
  return startStripeSandbox({ port: 0, webhookSecret: WEBHOOK_SECRET, webhookRetryDelaysMs: [50, 100, 200], ...options });
}

/** A paid PaymentIntent: the escrow funding step of the Fixbid flow. */
export async function paidIntent(stripe: Stripe, amount = 10_000, transferGroup = 'req_group_1'): Promise<Stripe.PaymentIntent> {
  const pi = await stripe.paymentIntents.create({ amount, currency: 'usd', transfer_group: transferGroup, metadata: { requestId: transferGroup } });
  return stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
}

/** An onboarded Express account that can receive transfers. */
export async function onboardedAccount(stripe: Stripe): Promise<Stripe.Account> {
  const account = await stripe.accounts.create({ type: 'express', country: 'US', capabilities: { transfers: { requested: true } } });
  const link = await stripe.accountLinks.create({ account: account.id, type: 'account_onboarding', refresh_url: 'https://fixbid.test/refresh', return_url: 'https://fixbid.test/return' });
  await openOnboardingLink(link.url);
  return stripe.accounts.retrieve(account.id);
}

export interface ReceivedWebhook {
  body: string;
  signature: string;
  at: number;
}

/** A tiny webhook endpoint that records raw bodies; `answer` decides each response status. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: (hook: ReceivedWebhook, index: number) => number = () => 200;
  delayMs = 0;
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hook = { body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['stripe-signature']), at: Date.now() };
      this.received.push(hook);
      const status = this.answer(hook, this.received.length - 1);
      setTimeout(() => res.writeHead(status).end(), this.delayMs);
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}/v1/webhooks/stripe`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  types(): string[] {
    return this.received.map((hook) => (JSON.parse(hook.body) as { type: string }).type);
  }
}

/** Raw HTTP against the sandbox, for what the SDK will not send (bad keys, unknown params, test helpers). */
export async function raw(
  sandbox: StripeSandbox,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    body,
    headers: { Authorization: 'Bearer sk_test_sandbox', 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
  });
  const text = await response.text();
  return { status: response.status, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text }, headers: response.headers };
}

/** The types of the events about one object, oldest first (Stripe lists newest first). */
export async function eventTypesFor(stripe: Stripe, objectId: string, type = '*'): Promise<string[]> {
  const events = await stripe.events.list({ type, limit: 100 }).autoPagingToArray({ limit: 10_000 });
  return events
    .filter((event) => (event.data.object as { id?: string }).id === objectId)
    .reverse()
    .map((event) => event.type);
}

/** POST to a /sandbox test hook (no API key), form-encoded like the SDK. */
export async function hook(sandbox: StripeSandbox, path: string, params: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const { status, json } = await raw(sandbox, 'POST', path, new URLSearchParams(params).toString(), { Authorization: '' });
  return { status, json };
}

import Stripe from 'stripe';
import type { StripeSandbox } from '../../src/stripe-sandbox';
import { sandboxStripe } from '../support/stripe';
import { waitFor } from '../support/wait';
import { startSandbox, WEBHOOK_SECRET, WebhookReceiver } from './support';

describe('Stripe sandbox: Connect accounts and onboarding', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;

  beforeAll(async () => {
    sandbox = await startSandbox();
    stripe = sandboxStripe(sandbox);
  });
  afterAll(() => sandbox.close());

  it('an Express account starts restricted; opening its account link completes onboarding and sends account.updated once', async () => {
    const account = await stripe.accounts.create({
      type: 'express', country: 'US', email: 'expert@fixbid.test', metadata: { userId: 'u1' },
      capabilities: { transfers: { requested: true }, card_payments: { requested: true } },
    });
    expect(account).toMatchObject({
      object: 'account', type: 'express', charges_enabled: false, payouts_enabled: false, details_submitted: false,
      email: 'expert@fixbid.test', metadata: { userId: 'u1' }, capabilities: { transfers: 'inactive', card_payments: 'inactive' },
    });
    expect(account.id).toMatch(/^acct_/);
    expect(account.requirements?.currently_due).toContain('external_account');

    const link = await stripe.accountLinks.create({
      account: account.id, type: 'account_onboarding', refresh_url: 'https://fixbid.test/experts/payout/refresh', return_url: 'https://fixbid.test/experts/payout/done',
    });
    expect(link).toMatchObject({ object: 'account_link', url: expect.stringContaining(`${sandbox.url}/sandbox/onboarding/${account.id}?`) });
    expect(link.expires_at).toBeGreaterThan(link.created);
    await expect(stripe.accountLinks.create({ account: account.id, type: 'account_onboarding', refresh_url: 'nope', return_url: 'https://x.test' })).rejects.toMatchObject({
      code: 'url_invalid', param: 'refresh_url',
    });

    const page = await fetch(link.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('https://fixbid.test/experts/payout/done');

    const onboarded = await stripe.accounts.retrieve(account.id);
    expect(onboarded).toMatchObject({
      charges_enabled: true, payouts_enabled: true, details_submitted: true, capabilities: { transfers: 'active', card_payments: 'active' },
    });
    expect(onboarded.requirements?.currently_due).toEqual([]);
    const updates = await stripe.events.list({ type: 'account.updated' });
    expect(updates.data).toHaveLength(1);
    expect(updates.data[0].data).toMatchObject({
      object: { id: account.id, payouts_enabled: true },
      previous_attributes: { payouts_enabled: false, charges_enabled: false, details_submitted: false },
    });
    expect(updates.data[0].request).toEqual({ id: null, idempotency_key: null });

    await fetch(link.url);
    expect((await stripe.events.list({ type: 'account.updated' })).data).toHaveLength(1);
    await expect(stripe.accounts.retrieve('acct_nope')).rejects.toMatchObject({ code: 'resource_missing', statusCode: 404 });
    expect((await stripe.accounts.list()).data.map((a) => a.id)).toEqual([account.id]);
  });
});

describe('Stripe sandbox: webhooks signed like Stripe', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = new WebhookReceiver();
    sandbox = await startSandbox({ webhookUrl: await receiver.start() });
    stripe = sandboxStripe(sandbox);
  });
  afterEach(async () => {
    await sandbox.close();
    await receiver.close();
  });

  it('delivers each event once, in order, verifiable with stripe.webhooks.constructEvent; a tampered body fails', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', metadata: { escrowId: 'e1' } }, { idempotencyKey: 'pi:e1' });
    await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    await sandbox.webhooksIdle();
    expect(receiver.types()).toEqual(['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded']);

    for (const hook of receiver.received) {
      expect(hook.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      const event = stripe.webhooks.constructEvent(hook.body, hook.signature, WEBHOOK_SECRET);
      expect(event).toMatchObject({ object: 'event', livemode: false, api_version: '2026-10-28.endive', pending_webhooks: 1 });
      expect(event.id).toMatch(/^evt_/);
    }
    const created = stripe.webhooks.constructEvent(receiver.received[0].body, receiver.received[0].signature, WEBHOOK_SECRET);
    expect(created.request).toMatchObject({ id: expect.stringMatching(/^req_/), idempotency_key: 'pi:e1' });
    const succeeded = stripe.webhooks.constructEvent(receiver.received[2].body, receiver.received[2].signature, WEBHOOK_SECRET);
    expect(succeeded.data.object).toMatchObject({ id: pi.id, status: 'succeeded', metadata: { escrowId: 'e1' } });

    const { body, signature } = receiver.received[2];
    const tampered = body.replace('"amount": 5000', '"amount": 1');
    expect(tampered).not.toBe(body);
    expect(() => stripe.webhooks.constructEvent(tampered, signature, WEBHOOK_SECRET)).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(() => stripe.webhooks.constructEvent(body, signature, 'whsec_other')).toThrow(Stripe.errors.StripeSignatureVerificationError);
    const stored = await stripe.events.retrieve(succeeded.id);
    expect(stored.pending_webhooks).toBe(0);
  });

  it('delivers after the API response and never blocks it, even when the endpoint is slow', async () => {
    receiver.delayMs = 700;
    const started = Date.now();
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' });
    await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    expect(Date.now() - started).toBeLessThan(600);
    await sandbox.webhooksIdle();
    expect(receiver.types()).toHaveLength(3);
  });

  it('retries a delivery answered with 500 (and a refused connection) until it gets a 2xx', async () => {
    receiver.answer = (_hook, index) => (index < 2 ? 500 : 200);
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' });
    await sandbox.webhooksIdle();
    expect(receiver.types()).toEqual(['payment_intent.created', 'payment_intent.created', 'payment_intent.created']);
    const attempts = sandbox.webhookDeliveries().map((d) => [d.attempt, d.outcome, d.status]);
    expect(attempts).toEqual([[1, 'failed', 500], [2, 'failed', 500], [3, 'delivered', 200]]);
    expect((await stripe.events.list()).data[0].pending_webhooks).toBe(0);

    sandbox.setWebhookUrl('http://127.0.0.1:1/unreachable');
    await stripe.paymentIntents.cancel(pi.id);
    await sandbox.webhooksIdle();
    const failures = sandbox.webhookDeliveries().filter((d) => d.type === 'payment_intent.canceled');
    expect(failures).toHaveLength(4); // first try + the three configured retries
    expect(failures.every((d) => d.outcome === 'failed' && d.error)).toBe(true);
  });

  it('F7 dropWebhooks loses payment_intent.succeeded: the event exists in /v1/events but never arrives', async () => {
    sandbox.faults.dropWebhooks('payment_intent.succeeded', 1);
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' });
    await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    await sandbox.webhooksIdle();
    expect(receiver.types()).toEqual(['payment_intent.created', 'charge.succeeded']);
    const lost = await stripe.events.list({ type: 'payment_intent.succeeded' });
    expect(lost.data).toHaveLength(1);
    expect(sandbox.webhookDeliveries().find((d) => d.type === 'payment_intent.succeeded')?.outcome).toBe('dropped');
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');

    // The next one is delivered again, and any event can be re-sent on demand (duplicates).
    const second = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    await sandbox.webhooksIdle();
    expect(receiver.types().filter((t) => t === 'payment_intent.succeeded')).toHaveLength(1);
    const resent = await sandbox.resendEvent(lost.data[0].id);
    expect(resent).toMatchObject({ outcome: 'delivered', status: 200, attempt: 0 });
    const last = await waitFor('a webhook at the receiver', () => receiver.received.at(-1), 5000);
    expect(stripe.webhooks.constructEvent(last.body, last.signature, WEBHOOK_SECRET).data.object).toMatchObject({ id: pi.id });
    expect(second.status).toBe('succeeded');
  });
});

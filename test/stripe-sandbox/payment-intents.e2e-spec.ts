import Stripe from 'stripe';
import type { StripeSandbox } from '../../src/stripe-sandbox';
import { raw, startSandbox } from './support';
import { sandboxStripe } from '../support/stripe';

describe('Stripe sandbox: PaymentIntents through the official SDK', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;

  beforeAll(async () => {
    sandbox = await startSandbox();
    stripe = sandboxStripe(sandbox);
  });
  afterAll(() => sandbox.close());

  it('create → confirm with pm_card_visa → succeeded, with a succeeded Charge and its balance transaction', async () => {
    const created = await stripe.paymentIntents.create(
      { amount: 12_500, currency: 'usd', transfer_group: 'req_1', metadata: { requestId: 'req_1', escrowId: 'esc_1' }, description: 'Fix my wifi' },
      { idempotencyKey: 'pi:esc_1' },
    );
    expect(created).toMatchObject({ object: 'payment_intent', status: 'requires_payment_method', amount: 12_500, amount_received: 0, latest_charge: null, livemode: false });
    expect(created.id).toMatch(/^pi_\w{24}$/);
    expect(created.client_secret).toMatch(new RegExp(`^${created.id}_secret_\\w+$`));
    expect(created.lastResponse.requestId).toMatch(/^req_/);

    const updated = await stripe.paymentIntents.update(created.id, { metadata: { bidId: 'bid_1' } });
    expect(updated.metadata).toEqual({ requestId: 'req_1', escrowId: 'esc_1', bidId: 'bid_1' });

    const paid = await stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_card_visa' });
    expect(paid).toMatchObject({ status: 'succeeded', amount_received: 12_500, payment_method: 'pm_card_visa', last_payment_error: null });
    expect(paid.latest_charge).toMatch(/^ch_/);

    const charge = await stripe.charges.retrieve(paid.latest_charge as string);
    expect(charge).toMatchObject({
      object: 'charge', amount: 12_500, amount_captured: 12_500, amount_refunded: 0, refunded: false, captured: true, paid: true,
      status: 'succeeded', payment_intent: created.id, transfer_group: 'req_1', disputed: false, currency: 'usd',
    });
    expect(charge.balance_transaction).toMatch(/^txn_/);
    const txn = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
    expect(txn).toMatchObject({ object: 'balance_transaction', amount: 12_500, net: 12_500 - txn.fee, source: charge.id, type: 'charge' });

    const expanded = await stripe.paymentIntents.retrieve(created.id, { expand: ['latest_charge.balance_transaction'] });
    expect((expanded.latest_charge as Stripe.Charge).id).toBe(charge.id);
    expect(((expanded.latest_charge as Stripe.Charge).balance_transaction as Stripe.BalanceTransaction).id).toBe(txn.id);
    const charges = await stripe.charges.list({ payment_intent: created.id });
    expect(charges.data.map((c) => c.id)).toEqual([charge.id]);
  });

  it('confirm=true at creation charges at once', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, allowed_payment_method_types: ['card'] });
    expect(pi).toMatchObject({ status: 'succeeded', automatic_payment_methods: null, allowed_payment_method_types: ['card'], payment_method_types: ['card'] });
    const legacy = await raw(sandbox, 'POST', '/v1/payment_intents', 'amount=5000&currency=usd&payment_method_types[0]=card');
    expect(legacy.json).toMatchObject({ payment_method_types: ['card'], automatic_payment_methods: null });
    const automatic = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' });
    expect(automatic.automatic_payment_methods).toEqual({ allow_redirects: 'always', enabled: true });
  });

  it('pm_card_chargeDeclined → StripeCardError (402, card_declined / generic_decline) and the PI back to requires_payment_method', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' });
    const error = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclined' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    const card = error as Stripe.errors.StripeCardError;
    expect(card).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' });
    expect(card.requestId).toMatch(/^req_/);
    expect((card.raw as { payment_intent: { id: string } }).payment_intent.id).toBe(pi.id);

    const after = await stripe.paymentIntents.retrieve(pi.id);
    expect(after).toMatchObject({ status: 'requires_payment_method', payment_method: null, amount_received: 0 });
    expect(after.last_payment_error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline' });
    const failed = await stripe.charges.retrieve(after.latest_charge as string);
    expect(failed).toMatchObject({ status: 'failed', paid: false, failure_code: 'card_declined', balance_transaction: null });

    const failedEvents = await stripe.events.list({ type: 'payment_intent.payment_failed' });
    expect(failedEvents.data.map((e) => (e.data.object as Stripe.PaymentIntent).id)).toContain(pi.id);

    // The customer retries with a good card.
    const retried = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    expect(retried.status).toBe('succeeded');
  });

  it('other declines carry their own codes', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' });
    await expect(stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclinedInsufficientFunds' })).rejects.toMatchObject({
      type: 'StripeCardError', code: 'card_declined', decline_code: 'insufficient_funds',
    });
    await expect(stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_unknown' })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError', code: 'resource_missing', param: 'payment_method', message: "No such PaymentMethod: 'pm_card_unknown'",
    });
  });

  it('cancel → canceled with payment_intent.canceled; a succeeded PI refuses cancel and confirm (payment_intent_unexpected_state)', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' });
    const canceled = await stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    expect(canceled.canceled_at).toEqual(expect.any(Number));
    const events = await stripe.events.list({ type: 'payment_intent.canceled' });
    expect(events.data[0].data.object).toMatchObject({ id: pi.id, status: 'canceled' });
    await expect(stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError', statusCode: 400, code: 'payment_intent_unexpected_state',
    });

    const paid = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const error = await stripe.paymentIntents.cancel(paid.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ code: 'payment_intent_unexpected_state', rawType: 'invalid_request_error' });
    expect((error as Error).message).toContain('status of succeeded');
    await expect(stripe.paymentIntents.update(paid.id, { amount: 6000 })).rejects.toMatchObject({ code: 'payment_intent_unexpected_state' });
    expect((await stripe.paymentIntents.update(paid.id, { metadata: { note: 'ok' } })).metadata.note).toBe('ok');
  });

  it('a customer-side confirm with a publishable key must present the client_secret', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' });
    const browser = sandboxStripe(sandbox, { key: 'pk_test_customer' });
    await expect(browser.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' })).rejects.toMatchObject({ code: 'parameter_missing', param: 'client_secret' });
    await expect(
      browser.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa', client_secret: `${pi.id}_secret_wrong` } as Stripe.PaymentIntentConfirmParams),
    ).rejects.toMatchObject({ type: 'StripeInvalidRequestError', param: 'client_secret' });
    const paid = await browser.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa', client_secret: pi.client_secret } as Stripe.PaymentIntentConfirmParams);
    expect(paid.status).toBe('succeeded');
    expect((await browser.paymentIntents.retrieve(pi.id, { client_secret: pi.client_secret as string })).status).toBe('succeeded');
    await expect(browser.paymentIntents.create({ amount: 5000, currency: 'usd' })).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });

  it('errors in Stripe shape: 404 resource_missing, 401 for a non-test key, parameter errors, unknown URL', async () => {
    const missing = await stripe.paymentIntents.retrieve('pi_missing').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', message: "No such payment_intent: 'pi_missing'", doc_url: expect.stringContaining('resource-missing') });

    await expect(sandboxStripe(sandbox, { key: 'sk_live_nope' }).paymentIntents.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    const noKey = await raw(sandbox, 'GET', '/v1/payment_intents', undefined, { Authorization: '' });
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('request-id')).toMatch(/^req_/);

    const unknown = await raw(sandbox, 'POST', '/v1/payment_intents', 'amount=5000&currency=usd&colour=red');
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_unknown', param: 'colour' });
    await expect(stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams)).rejects.toMatchObject({ code: 'parameter_missing', param: 'amount' });
    await expect(stripe.paymentIntents.create({ amount: 10, currency: 'usd' })).rejects.toMatchObject({ code: 'amount_too_small', param: 'amount' });

    const nowhere = await raw(sandbox, 'GET', '/v1/nowhere');
    expect(nowhere.status).toBe(404);
    expect((nowhere.json.error as { message: string }).message).toContain('Unrecognized request URL (GET: /v1/nowhere)');
    const basic = await raw(sandbox, 'GET', '/v1/payment_intents?limit=1', undefined, { Authorization: `Basic ${Buffer.from('sk_test_curl:').toString('base64')}` });
    expect(basic.status).toBe(200);
  });

  it('lists page newest first with limit, starting_after and ending_before; auto-pagination sees every item once', async () => {
    const fresh = await startSandbox();
    try {
      const client = sandboxStripe(fresh);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await client.paymentIntents.create({ amount: 1000 + i, currency: 'usd' })).id);
      const newest = [...ids].reverse();
      const page1 = await client.paymentIntents.list({ limit: 2 });
      expect(page1).toMatchObject({ object: 'list', has_more: true, url: '/v1/payment_intents' });
      expect(page1.data.map((p) => p.id)).toEqual(newest.slice(0, 2));
      const page2 = await client.paymentIntents.list({ limit: 2, starting_after: page1.data[1].id });
      expect(page2.data.map((p) => p.id)).toEqual(newest.slice(2, 4));
      const page3 = await client.paymentIntents.list({ limit: 2, starting_after: page2.data[1].id });
      expect(page3.data.map((p) => p.id)).toEqual(newest.slice(4));
      expect(page3.has_more).toBe(false);
      const back = await client.paymentIntents.list({ limit: 2, ending_before: page3.data[0].id });
      expect(back.data.map((p) => p.id)).toEqual(newest.slice(2, 4));
      const all = await client.paymentIntents.list({ limit: 2 }).autoPagingToArray({ limit: 100 });
      expect(all.map((p) => p.id)).toEqual(newest);
      await expect(client.paymentIntents.list({ starting_after: 'pi_gone' })).rejects.toMatchObject({ code: 'resource_missing', param: 'starting_after' });
    } finally {
      await fresh.close();
    }
  });
});

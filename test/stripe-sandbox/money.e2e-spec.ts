import Stripe from 'stripe';
import type { StripeSandbox } from '../../src/stripe-sandbox';
import { onboardedAccount, paidIntent, raw, startSandbox } from './support';
import { sandboxStripe } from '../support/stripe';

describe('Stripe sandbox: refunds, transfers, reversals and chargebacks', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;

  beforeAll(async () => {
    sandbox = await startSandbox();
    stripe = sandboxStripe(sandbox);
  });
  afterAll(() => sandbox.close());

  it('refunds part, then the rest (amount omitted = remaining); the charge follows; a third refund is refused', async () => {
    const pi = await paidIntent(stripe, 10_000);
    const part = await stripe.refunds.create({ payment_intent: pi.id, amount: 3000, reason: 'requested_by_customer', metadata: { disputeId: 'd1' } });
    expect(part).toMatchObject({ object: 'refund', amount: 3000, status: 'succeeded', charge: pi.latest_charge, payment_intent: pi.id, metadata: { disputeId: 'd1' } });
    expect(part.id).toMatch(/^re_/);
    let charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 3000, refunded: false });

    const over = await stripe.refunds.create({ payment_intent: pi.id, amount: 7001 }).catch((e: unknown) => e);
    expect(over).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(over).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });

    const rest = await stripe.refunds.create({ charge: pi.latest_charge as string });
    expect(rest.amount).toBe(7000);
    charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 10_000, refunded: true });
    expect(charge.refunds).toBeUndefined(); // not embedded since API 2022-11-15
    const expanded = await stripe.charges.retrieve(pi.latest_charge as string, { expand: ['refunds'] });
    expect(expanded.refunds?.data.map((r) => r.id)).toEqual([rest.id, part.id]);
    expect((await stripe.refunds.list({ charge: charge.id })).data.map((r) => r.id)).toEqual([rest.id, part.id]);
    await expect(stripe.refunds.create({ payment_intent: pi.id })).rejects.toMatchObject({ code: 'charge_already_refunded' });

    expect((await stripe.refunds.retrieve(part.id)).amount).toBe(3000);
    expect((await stripe.refunds.list({ payment_intent: pi.id })).data).toHaveLength(2);
    const events = await stripe.events.list({ types: ['charge.refunded', 'refund.created'] });
    const refundedCharges = events.data.filter((e) => e.type === 'charge.refunded').map((e) => e.data.object as Stripe.Charge);
    expect(refundedCharges.filter((c) => c.id === charge.id).map((c) => c.amount_refunded)).toEqual([10_000, 3000]);
  });

  it('a PaymentIntent that was never paid has nothing to refund', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' });
    await expect(stripe.refunds.create({ payment_intent: pi.id })).rejects.toMatchObject({ type: 'StripeInvalidRequestError', param: 'payment_intent' });
    await expect(stripe.refunds.create({ payment_intent: 'pi_nope' })).rejects.toMatchObject({ code: 'resource_missing', statusCode: 404 });
  });

  it('a transfer needs a destination that can take transfers (Stripe capability error before onboarding)', async () => {
    const pi = await paidIntent(stripe, 10_000, 'req_cap');
    const account = await stripe.accounts.create({ type: 'express', country: 'US', email: 'expert@fixbid.test', capabilities: { transfers: { requested: true } } });
    const refused = await stripe.transfers
      .create({ amount: 8500, currency: 'usd', destination: account.id, source_transaction: pi.latest_charge as string })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((refused as Error).message).toBe(
      'Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments',
    );
    expect(refused).toMatchObject({ code: 'insufficient_capabilities_for_transfer', param: 'destination' });
    await expect(stripe.transfers.create({ amount: 100, currency: 'usd', destination: 'acct_nope' })).rejects.toMatchObject({ code: 'resource_missing', param: 'destination' });
    expect((await stripe.transfers.list({ transfer_group: 'req_cap' })).data).toHaveLength(0);
  });

  it('transfers with source_transaction never exceed what the charge has left; transfers + refunds ≤ the charge', async () => {
    const account = await onboardedAccount(stripe);
    const pi = await paidIntent(stripe, 10_000, 'req_split');
    const chargeId = pi.latest_charge as string;
    await stripe.refunds.create({ payment_intent: pi.id, amount: 4000 });

    const tooMuch = await stripe.transfers.create({ amount: 6001, currency: 'usd', destination: account.id, source_transaction: chargeId }).catch((e: unknown) => e);
    expect(tooMuch).toMatchObject({ type: 'StripeInvalidRequestError', code: 'balance_insufficient' });

    const transfer = await stripe.transfers.create(
      { amount: 5100, currency: 'usd', destination: account.id, source_transaction: chargeId, metadata: { escrowId: 'esc_9' } },
      { idempotencyKey: 'transfer:esc_9' },
    );
    expect(transfer).toMatchObject({
      object: 'transfer', amount: 5100, amount_reversed: 0, reversed: false, destination: account.id,
      source_transaction: chargeId, transfer_group: 'req_split', currency: 'usd', metadata: { escrowId: 'esc_9' },
    });
    expect(transfer.id).toMatch(/^tr_/);
    expect(transfer.destination_payment).toMatch(/^py_/);
    // 10000 - 4000 refunded - 5100 transferred = 900 left for either.
    await expect(stripe.transfers.create({ amount: 901, currency: 'usd', destination: account.id, source_transaction: chargeId })).rejects.toMatchObject({ code: 'balance_insufficient' });
    await expect(stripe.refunds.create({ payment_intent: pi.id, amount: 901 })).rejects.toMatchObject({ code: 'amount_too_large' });
    expect((await stripe.refunds.create({ payment_intent: pi.id, amount: 900 })).amount).toBe(900);

    const listed = await stripe.transfers.list({ transfer_group: 'req_split' });
    expect(listed.data.map((t) => t.id)).toEqual([transfer.id]);
    expect((await stripe.transfers.retrieve(transfer.id)).amount).toBe(5100);
    await expect(stripe.transfers.create({ amount: 100, currency: 'usd', destination: account.id, source_transaction: 'ch_nope' })).rejects.toMatchObject({
      code: 'resource_missing', param: 'source_transaction',
    });
  });

  it('reversals: partial then full; over-reversal refused; a reversed amount can fund a refund again', async () => {
    const account = await onboardedAccount(stripe);
    const pi = await paidIntent(stripe, 10_000, 'req_rev');
    const transfer = await stripe.transfers.create({ amount: 8000, currency: 'usd', destination: account.id, source_transaction: pi.latest_charge as string });
    const first = await stripe.transfers.createReversal(transfer.id, { amount: 3000 });
    expect(first).toMatchObject({ object: 'transfer_reversal', amount: 3000, transfer: transfer.id, currency: 'usd' });
    expect(first.id).toMatch(/^trr_/);
    await expect(stripe.transfers.createReversal(transfer.id, { amount: 5001 })).rejects.toMatchObject({ code: 'amount_too_large' });
    const second = await stripe.transfers.createReversal(transfer.id);
    expect(second.amount).toBe(5000);
    const after = await stripe.transfers.retrieve(transfer.id);
    expect(after).toMatchObject({ amount_reversed: 8000, reversed: true });
    expect(after.reversals.data.map((r) => r.id)).toEqual([second.id, first.id]);
    expect((await stripe.transfers.listReversals(transfer.id)).data).toHaveLength(2);
    expect((await stripe.refunds.create({ payment_intent: pi.id })).amount).toBe(10_000);
    const reversedEvents = await stripe.events.list({ type: 'transfer.reversed' });
    expect(reversedEvents.data.filter((e) => (e.data.object as Stripe.Transfer).id === transfer.id)).toHaveLength(2);
  });

  it('a simulated chargeback: dispute object, charge.disputed, charge.dispute.created then .funds_withdrawn, and no refund of a charged-back charge', async () => {
    const pi = await paidIntent(stripe, 10_000, 'req_cb');
    const opened = await raw(sandbox, 'POST', `/sandbox/charges/${pi.latest_charge as string}/dispute`, '', { Authorization: '' });
    expect(opened.status).toBe(200);
    const dispute = opened.json as unknown as Stripe.Dispute;
    expect(dispute).toMatchObject({ object: 'dispute', amount: 10_000, charge: pi.latest_charge, payment_intent: pi.id, reason: 'fraudulent', status: 'needs_response' });
    expect(dispute.id).toMatch(/^dp_/);
    expect((await stripe.charges.retrieve(pi.latest_charge as string)).disputed).toBe(true);
    expect((await stripe.disputes.retrieve(dispute.id)).id).toBe(dispute.id);
    const events = await stripe.events.list({ type: 'charge.dispute.*' });
    expect(events.data.slice(0, 2).reverse()).toMatchObject([
      { type: 'charge.dispute.created', data: { object: { id: dispute.id } } },
      { type: 'charge.dispute.funds_withdrawn', data: { object: { id: dispute.id } } },
    ]);
    await expect(stripe.refunds.create({ payment_intent: pi.id })).rejects.toMatchObject({ code: 'charge_disputed' });
    expect((await raw(sandbox, 'POST', `/sandbox/charges/${pi.latest_charge as string}/dispute`, '')).status).toBe(400);
  });

  it('pm_card_createDispute pays and then opens a chargeback, as Stripe test card 4000 0000 0000 0259 does', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true });
    expect(pi.status).toBe('succeeded');
    const disputes = await stripe.disputes.list({ payment_intent: pi.id });
    expect(disputes.data).toHaveLength(1);
  });
});

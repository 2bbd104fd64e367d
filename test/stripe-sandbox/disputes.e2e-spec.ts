import Stripe from 'stripe';
import type { StripeSandbox } from '../../src/stripe-sandbox';
import { sandboxStripe } from '../support/stripe';
import { eventTypesFor, hook, paidIntent, startSandbox } from './support';

/** A chargeback's whole life, driven the way Stripe's test mode drives it (docs.stripe.com/testing#disputes). */
describe('Stripe sandbox: disputes from opening to closing', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;

  beforeAll(async () => {
    sandbox = await startSandbox({ asyncDelayMs: 20 });
    stripe = sandboxStripe(sandbox);
  });
  afterAll(() => sandbox.close());

  const platformAvailable = async () => (await stripe.balance.retrieve()).available.find((b) => b.currency === 'usd')?.amount ?? 0;
  const disputeOf = async (pi: Stripe.PaymentIntent) => (await stripe.disputes.list({ payment_intent: pi.id })).data[0];
  const disputedPayment = (payment_method = 'pm_card_createDispute', amount = 8000) =>
    stripe.paymentIntents.create({ amount, currency: 'usd', payment_method, confirm: true });

  it('M6 pm_card_createDispute: needs_response, the amount and a $15 fee leave the platform balance (created, funds_withdrawn)', async () => {
    const before = await platformAvailable();
    const pi = await disputedPayment();
    const dispute = await disputeOf(pi);
    expect(dispute).toMatchObject({ status: 'needs_response', amount: 8000, reason: 'fraudulent', is_charge_refundable: false, charge: pi.latest_charge });
    expect(dispute.payment_method_details?.card).toMatchObject({ case_type: 'chargeback', network: 'visa', network_reason_code: '10.4' });
    expect(dispute.balance_transactions).toMatchObject([{ object: 'balance_transaction', amount: -8000, fee: 1500, net: -9500, type: 'adjustment', reporting_category: 'dispute', source: dispute.id }]);
    expect(await platformAvailable()).toBe(before - 9500);
    expect(await eventTypesFor(stripe, dispute.id, 'charge.dispute.*')).toEqual(['charge.dispute.created', 'charge.dispute.funds_withdrawn']);
    await expect(stripe.refunds.create({ payment_intent: pi.id })).rejects.toMatchObject({ code: 'charge_disputed' });
  });

  it('M6 winning_evidence: under_review at once, then won with the funds reinstated (updated, closed, funds_reinstated)', async () => {
    const pi = await disputedPayment();
    const dispute = await disputeOf(pi);
    const afterWithdrawal = await platformAvailable();
    const submitted = await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'winning_evidence', customer_name: 'Ada' }, metadata: { escrowId: 'esc_w' } });
    expect(submitted).toMatchObject({ status: 'under_review', evidence: { uncategorized_text: 'winning_evidence' }, metadata: { escrowId: 'esc_w' } });
    expect(submitted.evidence_details).toMatchObject({ has_evidence: true, submission_count: 1, submission_method: 'manual' });
    await sandbox.webhooksIdle();
    const won = await stripe.disputes.retrieve(dispute.id);
    expect(won.status).toBe('won');
    expect(won.balance_transactions.map((t) => [t.amount, t.fee, t.net, t.reporting_category])).toEqual([
      [-8000, 1500, -9500, 'dispute'],
      [8000, -1500, 9500, 'dispute_reversal'],
    ]);
    expect(await platformAvailable()).toBe(afterWithdrawal + 9500);
    expect(await eventTypesFor(stripe, dispute.id, 'charge.dispute.*')).toEqual([
      'charge.dispute.created', 'charge.dispute.funds_withdrawn', 'charge.dispute.updated', 'charge.dispute.closed', 'charge.dispute.funds_reinstated',
    ]);
    const closed = (await stripe.events.list({ type: 'charge.dispute.closed' })).data.find((e) => (e.data.object as Stripe.Dispute).id === dispute.id);
    expect(closed?.data).toMatchObject({ object: { status: 'won' }, previous_attributes: { status: 'under_review' } });
    expect(closed?.request).toEqual({ id: null, idempotency_key: null }); // Stripe's own change, no API request
    await expect(stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'more' } })).rejects.toMatchObject({ type: 'StripeInvalidRequestError' });
  });

  it('M6 losing_evidence: lost, the money stays withdrawn (updated, closed); close() of a closed dispute is refused', async () => {
    const pi = await disputedPayment('pm_card_createDisputeProductNotReceived');
    const dispute = await disputeOf(pi);
    expect(dispute).toMatchObject({ reason: 'product_not_received', network_reason_code: '13.1' });
    await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'losing_evidence' } });
    await sandbox.webhooksIdle();
    const lost = await stripe.disputes.retrieve(dispute.id);
    expect(lost.status).toBe('lost');
    expect(lost.balance_transactions).toHaveLength(1);
    expect(await eventTypesFor(stripe, dispute.id, 'charge.dispute.*')).toEqual(['charge.dispute.created', 'charge.dispute.funds_withdrawn', 'charge.dispute.updated', 'charge.dispute.closed']);
    await expect(stripe.disputes.close(dispute.id)).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400 });
  });

  it('M6 close(): the platform accepts the loss at once (closed); staged evidence (submit=false) changes no status', async () => {
    const pi = await disputedPayment();
    const dispute = await disputeOf(pi);
    const staged = await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'winning_evidence' }, submit: false });
    expect(staged).toMatchObject({ status: 'needs_response', evidence_details: { has_evidence: true, submission_count: 0 } });
    const closed = await stripe.disputes.close(dispute.id);
    expect(closed.status).toBe('lost');
    await sandbox.webhooksIdle();
    expect((await stripe.disputes.retrieve(dispute.id)).status).toBe('lost');
    expect(await eventTypesFor(stripe, dispute.id, 'charge.dispute.*')).toEqual(['charge.dispute.created', 'charge.dispute.funds_withdrawn', 'charge.dispute.updated', 'charge.dispute.closed']);
  });

  it('M6 pm_card_createDisputeInquiry: warning_needs_response, no money moves, still refundable; evidence closes it warning_closed', async () => {
    const before = await platformAvailable();
    const pi = await disputedPayment('pm_card_createDisputeInquiry', 5000);
    const inquiry = await disputeOf(pi);
    expect(inquiry).toMatchObject({ status: 'warning_needs_response', is_charge_refundable: true, balance_transactions: [] });
    expect(inquiry.payment_method_details?.card?.case_type).toBe('inquiry');
    expect(await platformAvailable()).toBe(before);
    await stripe.disputes.update(inquiry.id, { evidence: { uncategorized_text: 'losing_evidence' } });
    expect((await stripe.disputes.retrieve(inquiry.id)).status).toBe('warning_under_review');
    await sandbox.webhooksIdle();
    expect((await stripe.disputes.retrieve(inquiry.id)).status).toBe('warning_closed');
    expect(await eventTypesFor(stripe, inquiry.id, 'charge.dispute.*')).toEqual(['charge.dispute.created', 'charge.dispute.updated', 'charge.dispute.closed']);
    expect((await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 })).status).toBe('succeeded');
  });

  it('M6 escalate_inquiry_evidence turns an inquiry into a chargeback (updated, funds_withdrawn); close() of an inquiry is warning_closed', async () => {
    const escalating = await disputeOf(await disputedPayment('pm_card_createDisputeInquiry', 5000));
    await stripe.disputes.update(escalating.id, { evidence: { uncategorized_text: 'escalate_inquiry_evidence' } });
    await sandbox.webhooksIdle();
    const chargeback = await stripe.disputes.retrieve(escalating.id);
    expect(chargeback).toMatchObject({ status: 'needs_response', is_charge_refundable: false, balance_transactions: [{ net: -6500 }] });
    expect(await eventTypesFor(stripe, escalating.id, 'charge.dispute.*')).toEqual([
      'charge.dispute.created', 'charge.dispute.updated', 'charge.dispute.updated', 'charge.dispute.funds_withdrawn',
    ]);
    const quiet = await disputeOf(await disputedPayment('pm_card_createDisputeInquiry', 5000));
    expect((await stripe.disputes.close(quiet.id)).status).toBe('warning_closed');
  });

  it('M6 a partial chargeback through the test hook: only the disputed amount is withdrawn; the bank decides by hook', async () => {
    const pi = await paidIntent(stripe, 10_000, 'req_partial_cb');
    const opened = await hook(sandbox, `/sandbox/charges/${pi.latest_charge as string}/dispute`, { amount: '2500', reason: 'product_unacceptable' });
    expect(opened.status).toBe(200);
    const dispute = opened.json as unknown as Stripe.Dispute;
    expect(dispute).toMatchObject({ amount: 2500, reason: 'product_unacceptable', status: 'needs_response', balance_transactions: [{ amount: -2500, net: -4000 }] });
    expect((await hook(sandbox, `/sandbox/disputes/${dispute.id}/decide`, { outcome: 'warning_closed' })).status).toBe(400);
    const decided = await hook(sandbox, `/sandbox/disputes/${dispute.id}/decide`, { outcome: 'lost' });
    expect(decided.json).toMatchObject({ status: 'lost', amount: 2500 });

    const inquiryPi = await paidIntent(stripe, 4000, 'req_hook_inquiry');
    const inquiry = (await hook(sandbox, `/sandbox/charges/${inquiryPi.latest_charge as string}/dispute`, { inquiry: 'true' })).json;
    expect(inquiry).toMatchObject({ status: 'warning_needs_response', balance_transactions: [] });
    expect((await hook(sandbox, `/sandbox/disputes/${String(inquiry.id)}/decide`, { outcome: 'warning_closed' })).json).toMatchObject({ status: 'warning_closed' });
  });

  it('an evidence update is validated before anything changes: unknown fields are refused, the dispute is untouched', async () => {
    const dispute = await disputeOf(await disputedPayment());
    const refused = await stripe.disputes.update(dispute.id, { evidence: { colour: 'red' } as Stripe.DisputeUpdateParams.Evidence }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ type: 'StripeInvalidRequestError', code: 'parameter_unknown', param: 'evidence[colour]' });
    expect(await stripe.disputes.retrieve(dispute.id)).toMatchObject({ status: 'needs_response', evidence_details: { has_evidence: false } });
    expect((await stripe.disputes.list({ charge: dispute.charge as string })).data.map((d) => d.id)).toEqual([dispute.id]);
  });
});

import Stripe from 'stripe';
import { PaymentFaults } from '../../src/payments/payment-faults';
import { PayoutService } from '../../src/payments/payout.service';
import { ReconciliationService } from '../../src/payments/reconciliation.service';
import { acceptBid, createProfile, makeAdmin, placeBid, postRequest, registerUser, TestUser } from '../support/factories';
import { platformStripe } from '../support/stripe';
import { createTestApp, TestApp } from '../support/test-app';
import { acceptedDeal, fundedDeal, onboard, pay, releaseDeal } from '../support/deals';
import { escrowRow, ledgerReport, ledgerTxnCount, statusOf, transfersOf, waitForEscrow } from '../support/inspect';

jest.setTimeout(120_000);

/** F1, F7 and Stripe being down: every retry reuses our keys, so nothing is charged or paid twice. */
describe('payments: faults', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());
  afterEach(() => {
    t.app.get(PaymentFaults).clear();
    t.sandbox.faults.clear();
  });

  /** A request with one bid, not yet accepted. */
  async function openDeal(amount = 2000): Promise<{ customer: TestUser; requestId: string; bidId: string }> {
    const customer = await registerUser(t, 'customer');
    const expert = await registerUser(t, 'expert');
    await createProfile(t, expert);
    const request = await postRequest(t, customer);
    const bid = await placeBid(t, expert, request.id, { amount: { amount, currency: 'usd' } });
    return { customer, requestId: request.id, bidId: bid.id };
  }
  const accept = (customer: TestUser, bidId: string) => t.http.post(`/v1/bids/${bidId}/accept`).set('authorization', customer.auth);
  const intentsOf = async (escrowId: string): Promise<Stripe.PaymentIntent[]> =>
    (await platformStripe(t).paymentIntents.list({ limit: 100 })).data.filter((pi) => pi.metadata.escrowId === escrowId);
  const escrowOfRequest = async (requestId: string) => (await t.ds.query(`SELECT * FROM escrows WHERE request_id = $1`, [requestId]))[0];

  it('the sandbox down (connection refused) → accept answers 503 in the envelope, no PaymentIntent half-written; the same accept succeeds once it is back', async () => {
    const { customer, requestId, bidId } = await openDeal();
    await t.sandbox.stop();
    let down;
    try {
      down = await accept(customer, bidId);
    } finally {
      await t.sandbox.start();
    }
    expect(down.status).toBe(503);
    expect(down.body.error).toMatchObject({ type: 'api_error', code: 'payment_provider_unavailable' });
    expect(down.body.error.requestId).toBe(down.headers['x-request-id']);
    const escrow = await escrowOfRequest(requestId);
    expect(escrow).toMatchObject({ status: 'requires_payment', payment_intent_id: null, client_secret: null });
    expect(escrow.payment_intent_failed_at).not.toBeNull();
    expect(await statusOf(t, requestId)).toBe('awaiting_payment');
    expect(await intentsOf(escrow.id)).toHaveLength(0);

    const again = await accept(customer, bidId);
    expect(again.status).toBe(200);
    expect(again.body.escrow).toMatchObject({ id: escrow.id, status: 'requires_payment' });
    expect(again.body.escrow.clientSecret).toMatch(/_secret_/);
    expect((await intentsOf(escrow.id)).map((pi) => pi.id)).toEqual([again.body.escrow.paymentIntentId]);
    // Once it has its PaymentIntent, a further repeat is the usual C1 409.
    expect((await accept(customer, bidId)).status).toBe(409);
  });

  it('Stripe answering 500 → 502 payment_provider_error; the retry gets 200 and still one PaymentIntent', async () => {
    const { customer, requestId, bidId } = await openDeal();
    t.sandbox.faults.failNext('POST /v1/payment_intents', { status: 500, count: 3 });
    const failed = await accept(customer, bidId);
    expect(failed.status).toBe(502);
    expect(failed.body.error).toMatchObject({ type: 'api_error', code: 'payment_provider_error' });
    const retried = await accept(customer, bidId);
    expect(retried.status).toBe(200);
    const escrow = await escrowOfRequest(requestId);
    expect((await intentsOf(escrow.id)).map((pi) => pi.id)).toEqual([retried.body.escrow.paymentIntentId]);
  });

  it('M3 Stripe creates the PaymentIntent but the answer is lost (connection reset): the SDK retries with the same key → one PaymentIntent', async () => {
    const { customer, requestId, bidId } = await openDeal();
    t.sandbox.faults.failNext('POST /v1/payment_intents', { status: 'reset', applyFirst: true });
    const res = await accept(customer, bidId);
    expect(res.status).toBe(200);
    const escrow = await escrowOfRequest(requestId);
    expect((await intentsOf(escrow.id)).map((pi) => pi.id)).toEqual([res.body.escrow.paymentIntentId]);
  });

  it('F1 a crash after Stripe made the PaymentIntent, before we stored it → no second PaymentIntent; reconciliation repairs the row', async () => {
    const { customer, requestId, bidId } = await openDeal(2200);
    t.app.get(PaymentFaults).arm('after_payment_intent_create');
    const crashed = await accept(customer, bidId);
    expect(crashed.status).toBe(500);
    expect(crashed.body.error).toMatchObject({ type: 'api_error', code: 'internal_error' });
    const escrow = await escrowOfRequest(requestId);
    expect(escrow).toMatchObject({ status: 'requires_payment', payment_intent_id: null });
    const [made] = await intentsOf(escrow.id);
    expect(made).toBeDefined();

    const { repaired } = await t.app.get(ReconciliationService).run();
    expect(repaired).toContain(`payment_intent:${escrow.id}`);
    expect(await escrowRow(t, escrow.id)).toMatchObject({ payment_intent_id: made.id });
    expect((await intentsOf(escrow.id)).map((pi) => pi.id)).toEqual([made.id]);

    const owner = (await t.http.get(`/v1/requests/${requestId}/escrow`).set('authorization', customer.auth)).body;
    expect(owner.clientSecret).toMatch(/_secret_/);
    await pay(t, owner.paymentIntentId, owner.clientSecret);
    await waitForEscrow(t, escrow.id, { status: 'held' });
  });

  it('F1 a crash after Stripe made the Transfer, before our commit → the retry reuses transfer:<escrowId>: one Transfer, one payout recorded', async () => {
    const deal = await fundedDeal(t, { amount: 2400, onboarded: false, otherBidders: 1 });
    await onboard(t, deal.expert);
    t.app.get(PaymentFaults).arm('after_transfer_create');
    await releaseDeal(t, deal);
    const [first] = await transfersOf(t, deal.requestId);
    expect(first).toMatchObject({ amount: 2040 });

    await t.app.get(PayoutService).payEscrow(deal.escrowId);
    await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
    expect((await transfersOf(t, deal.requestId)).map((tr) => tr.id)).toEqual([first.id]);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ transfer_id: first.id, payout_status: 'paid' });
    expect(await ledgerTxnCount(t, deal.requestId, 'payout')).toBe(1);
    // Once more, for good measure: nothing to pay.
    expect(await t.app.get(PayoutService).payEscrow(deal.escrowId)).toBe('nothing_to_pay');
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('F7 a dropped payment_intent.succeeded → the reconciliation job funds the request; the ledger is ok', async () => {
    const deal = await acceptedDeal(t, { amount: 2600, onboarded: false, otherBidders: 1 });
    t.sandbox.faults.dropWebhooks('payment_intent.succeeded');
    await pay(t, deal.paymentIntentId, deal.clientSecret);
    await t.sandbox.webhooksIdle();
    expect(t.sandbox.webhookDeliveries().some((d) => d.type === 'payment_intent.succeeded' && d.outcome === 'dropped')).toBe(true);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'requires_payment' });

    const { repaired, violations } = await t.app.get(ReconciliationService).run();
    expect(repaired).toContain(`payment_intent_sync:${deal.escrowId}`);
    expect(violations).toEqual([]);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'held' });
    expect(await statusOf(t, deal.requestId)).toBe('in_progress');
    expect(await ledgerTxnCount(t, deal.requestId, 'funding')).toBe(1);
    const report = await ledgerReport(t, admin);
    expect(report.ok).toBe(true);
    // A second run finds nothing left to repair.
    expect((await t.app.get(ReconciliationService).run()).repaired).toEqual([]);
  });

  it('accepting again after the first PaymentIntent is stored never makes another one (idempotent accept)', async () => {
    const customer = await registerUser(t, 'customer');
    const expert = await registerUser(t, 'expert');
    const request = await postRequest(t, customer);
    const bid = await placeBid(t, expert, request.id);
    const accepted = await acceptBid(t, customer, bid.id);
    const escrowId = accepted.escrow.id;
    await Promise.all([accept(customer, bid.id), accept(customer, bid.id)]);
    expect(await intentsOf(escrowId)).toHaveLength(1);
  });
});

import Stripe from 'stripe';
import { acceptBid, makeAdmin, TestUser } from '../support/factories';
import { acceptedDeal, Deal, lapsePaymentWindow, pay } from '../support/deals';
import { escrowRow, ledgerBalances, ledgerReport, refundsOf, statusOf, waitForEscrow } from '../support/inspect';
import { platformStripe } from '../support/stripe';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

/** R5: cancelling races funding; whatever wins, money is never left held for a cancelled request. */
describe('payments: cancel and the payment window', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());
  afterEach(() => t.sandbox.faults.clear());

  const cancel = (deal: Deal) => t.http.post(`/v1/requests/${deal.requestId}/cancel`).set('authorization', deal.customer.auth);

  /** Waits until nothing is moving: webhooks delivered, the escrow out of any in-between state, refunds and cancels made at Stripe. */
  async function settled(deal: Deal): Promise<{ request: string; escrow: Record<string, unknown>; pi: Stripe.PaymentIntent }> {
    return waitFor('the race to settle', async () => {
      await t.sandbox.webhooksIdle();
      const escrow = await escrowRow(t, deal.escrowId);
      const pi = await platformStripe(t).paymentIntents.retrieve(deal.paymentIntentId);
      const refunded = (await refundsOf(t, deal.paymentIntentId)).reduce((sum, r) => sum + r.amount, 0);
      const done =
        (escrow.status === 'cancelled' && pi.status === 'canceled') ||
        (escrow.status === 'refunded' && refunded === deal.amount) ||
        (escrow.status === 'held' && pi.status === 'succeeded');
      return done ? { request: await statusOf(t, deal.requestId), escrow, pi } : undefined;
    });
  }

  it('R5 paid after the request was cancelled (the PaymentIntent cancel failed at Stripe) → funded and refunded in full, never "cancelled with money held"', async () => {
    const deal = await acceptedDeal(t, { amount: 2100, onboarded: false, otherBidders: 1 });
    t.sandbox.faults.failNext('POST /v1/payment_intents/*/cancel', { status: 503, count: 100 });
    expect((await cancel(deal)).status).toBe(200);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'cancelled', client_secret: null });
    // The customer's page still had the client secret and pays anyway.
    await pay(t, deal.paymentIntentId, deal.clientSecret);
    const escrow = await waitForEscrow(t, deal.escrowId, { status: 'refunded' });
    expect(escrow).toMatchObject({ refunded_amount: 2100, payout_status: 'none' });
    expect(escrow.charge_id).toMatch(/^ch_/);
    expect(await statusOf(t, deal.requestId)).toBe('cancelled');
    await waitFor('refund at Stripe', async () => (await refundsOf(t, deal.paymentIntentId)).length === 1);
    const [refund] = await refundsOf(t, deal.paymentIntentId);
    expect(refund).toMatchObject({ amount: 2100, status: 'succeeded' });
    await waitFor('refund linked', async () => {
      const [row] = await t.ds.query(`SELECT stripe_refund_id, idempotency_key FROM escrow_refunds WHERE escrow_id = $1`, [deal.escrowId]);
      return row?.stripe_refund_id === refund.id && row.idempotency_key === `refund:cancel:${deal.escrowId}`;
    });
    expect(await ledgerBalances(t, deal.escrowId)).toEqual({ customer_funds: -2100, escrow_held: 0, refunded: 2100 });
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('R5 cancel racing the customer\'s payment, five times: either cancelled (PaymentIntent cancelled or refunded in full) or in progress with money held', async () => {
    for (let i = 0; i < 5; i++) {
      const deal = await acceptedDeal(t, { amount: 1000 + i, onboarded: false, otherBidders: 1 });
      // Staggered so the race can land on either side: cancel first, at the same time, after the webhook.
      const cancelLater = new Promise((r) => setTimeout(r, [0, 4, 8, 15, 80][i])).then(() => cancel(deal));
      const [cancelled] = await Promise.all([cancelLater, pay(t, deal.paymentIntentId, deal.clientSecret).catch(() => undefined)]);
      const { request, escrow, pi } = await settled(deal);
      if (request === 'cancelled') {
        expect(cancelled.status).toBe(200);
        expect(['cancelled', 'refunded']).toContain(escrow.status);
        if (escrow.status === 'cancelled') expect(pi.status).toBe('canceled');
        else expect((await refundsOf(t, deal.paymentIntentId)).reduce((s, r) => s + r.amount, 0)).toBe(deal.amount);
      } else {
        expect(cancelled.status).toBe(409);
        expect(cancelled.body.error.code).toBe('request_in_progress');
        expect(request).toBe('in_progress');
        expect(escrow.status).toBe('held');
      }
    }
    const [{ n }] = await t.ds.query(
      `SELECT count(*)::int AS n FROM escrows e JOIN help_requests r ON r.id = e.request_id WHERE r.status = 'cancelled' AND e.status = 'held'`,
    );
    expect(n).toBe(0);
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('the payment window lapses → escrow cancelled, PaymentIntent cancelled at Stripe, the request open again; a new accept gets a new escrow', async () => {
    const deal = await acceptedDeal(t, { amount: 1700, onboarded: false, otherBidders: 1 });
    await t.ds.query(`UPDATE help_requests SET accepted_at = now() - interval '25 hours' WHERE id = $1`, [deal.requestId]);
    expect(await lapsePaymentWindow(t, deal.requestId)).toBe(true);
    expect(await statusOf(t, deal.requestId)).toBe('open');
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'cancelled' });
    await waitFor('PaymentIntent cancelled by the job', async () => (await platformStripe(t).paymentIntents.retrieve(deal.paymentIntentId)).status === 'canceled');
    await expect(pay(t, deal.paymentIntentId, deal.clientSecret)).rejects.toMatchObject({ type: 'StripeInvalidRequestError', code: 'payment_intent_unexpected_state' });

    const again = await acceptBid(t, deal.customer, deal.otherBidIds[0]);
    const escrow = again.escrow;
    expect(escrow.id).not.toBe(deal.escrowId);
    expect(escrow.status).toBe('requires_payment');
    const shown = await t.http.get(`/v1/requests/${deal.requestId}/escrow`).set('authorization', deal.customer.auth);
    expect(shown.body).toMatchObject({ id: escrow.id, paymentIntentId: escrow.paymentIntentId });
  });
});

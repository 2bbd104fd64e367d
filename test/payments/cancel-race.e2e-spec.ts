import Stripe from 'stripe';
import { RequestLifecycle } from '../../src/requests/request-lifecycle.service';
import { acceptBid, makeAdmin, TestUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { acceptedDeal, Deal, escrowRow, ledger, pay, platformStripe, requestStatus, waitFor } from './payments-support';

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
  const refundsAtStripe = async (deal: Deal) => (await platformStripe(t).refunds.list({ payment_intent: deal.paymentIntentId, limit: 100 })).data;
  const escrowEntries = async (deal: Deal) =>
    Object.fromEntries(
      ((await t.ds.query(`SELECT account, sum(amount)::int AS total FROM ledger_entries WHERE escrow_id = $1 GROUP BY account`, [deal.escrowId])) as Array<{ account: string; total: number }>).map(
        (r) => [r.account, r.total],
      ),
    );

  /** Waits until nothing is moving: webhooks delivered, the escrow out of any in-between state, refunds and cancels made at Stripe. */
  async function settled(deal: Deal): Promise<{ request: string; escrow: Record<string, unknown>; pi: Stripe.PaymentIntent }> {
    return waitFor('the race to settle', async () => {
      await t.sandbox.webhooksIdle();
      const escrow = await escrowRow(t, deal.escrowId);
      const pi = await platformStripe(t).paymentIntents.retrieve(deal.paymentIntentId);
      const refunded = (await refundsAtStripe(deal)).reduce((sum, r) => sum + r.amount, 0);
      const done =
        (escrow.status === 'cancelled' && pi.status === 'canceled') ||
        (escrow.status === 'refunded' && refunded === deal.amount) ||
        (escrow.status === 'held' && pi.status === 'succeeded');
      return done ? { request: await requestStatus(t, deal.requestId), escrow, pi } : undefined;
    });
  }

  it('R5 paid after the request was cancelled (the PaymentIntent cancel failed at Stripe) → funded and refunded in full, never "cancelled with money held"', async () => {
    const deal = await acceptedDeal(t, 2100);
    t.sandbox.faults.failNext('POST /v1/payment_intents/*/cancel', { status: 503, count: 100 });
    expect((await cancel(deal)).status).toBe(200);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'cancelled', client_secret: null });
    // The customer's page still had the client secret and pays anyway.
    await pay(t, deal);
    const escrow = await waitFor('refunded', async () => {
      const row = await escrowRow(t, deal.escrowId);
      return row.status === 'refunded' ? row : undefined;
    });
    expect(escrow).toMatchObject({ refunded_amount: 2100, payout_status: 'none' });
    expect(escrow.charge_id).toMatch(/^ch_/);
    expect(await requestStatus(t, deal.requestId)).toBe('cancelled');
    await waitFor('refund at Stripe', async () => (await refundsAtStripe(deal)).length === 1);
    const [refund] = await refundsAtStripe(deal);
    expect(refund).toMatchObject({ amount: 2100, status: 'succeeded' });
    await waitFor('refund linked', async () => {
      const [row] = await t.ds.query(`SELECT stripe_refund_id, idempotency_key FROM escrow_refunds WHERE escrow_id = $1`, [deal.escrowId]);
      return row?.stripe_refund_id === refund.id && row.idempotency_key === `refund:cancel:${deal.escrowId}`;
    });
    expect(await escrowEntries(deal)).toEqual({ customer_funds: -2100, escrow_held: 0, refunded: 2100 });
    expect((await ledger(t, admin)).violations).toEqual([]);
  });

  it('R5 cancel racing the customer\'s payment, five times: either cancelled (PaymentIntent cancelled or refunded in full) or in progress with money held', async () => {
    for (let i = 0; i < 5; i++) {
      const deal = await acceptedDeal(t, 1000 + i);
      // Staggered so the race can land on either side: cancel first, at the same time, after the webhook.
      const cancelLater = new Promise((r) => setTimeout(r, [0, 4, 8, 15, 80][i])).then(() => cancel(deal));
      const [cancelled] = await Promise.all([cancelLater, pay(t, deal).catch(() => undefined)]);
      const { request, escrow, pi } = await settled(deal);
      if (request === 'cancelled') {
        expect(cancelled.status).toBe(200);
        expect(['cancelled', 'refunded']).toContain(escrow.status);
        if (escrow.status === 'cancelled') expect(pi.status).toBe('canceled');
        else expect((await refundsAtStripe(deal)).reduce((s, r) => s + r.amount, 0)).toBe(deal.amount);
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
    expect((await ledger(t, admin)).violations).toEqual([]);
  });

  it('the payment window lapses → escrow cancelled, PaymentIntent cancelled at Stripe, the request open again; a new accept gets a new escrow', async () => {
    const deal = await acceptedDeal(t, 1700);
    await t.ds.query(`UPDATE help_requests SET accepted_at = now() - interval '25 hours' WHERE id = $1`, [deal.requestId]);
    expect(await t.app.get(RequestLifecycle).fireTimer('payment_window_lapse', deal.requestId)).toBe(true);
    expect(await requestStatus(t, deal.requestId)).toBe('open');
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'cancelled' });
    await waitFor('PaymentIntent cancelled by the job', async () => (await platformStripe(t).paymentIntents.retrieve(deal.paymentIntentId)).status === 'canceled');
    await expect(pay(t, deal)).rejects.toMatchObject({ type: 'StripeInvalidRequestError', code: 'payment_intent_unexpected_state' });

    const again = await acceptBid(t, deal.customer, deal.otherBidId);
    const escrow = again.escrow as { id: string; status: string; paymentIntentId: string };
    expect(escrow.id).not.toBe(deal.escrowId);
    expect(escrow.status).toBe('requires_payment');
    const shown = await t.http.get(`/v1/requests/${deal.requestId}/escrow`).set('authorization', deal.customer.auth);
    expect(shown.body).toMatchObject({ id: escrow.id, paymentIntentId: escrow.paymentIntentId });
  });
});

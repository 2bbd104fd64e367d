import Stripe from 'stripe';
import { EscrowService } from '../../src/payments/escrow.service';
import { REFUND_MAX_ATTEMPTS } from '../../src/payments/escrow-refund.entity';
import { PaymentFaults } from '../../src/payments/payment-faults';
import { ReconciliationService } from '../../src/payments/reconciliation.service';
import { RefundService } from '../../src/payments/refund.service';
import { makeAdmin, TestUser } from '../support/factories';
import { acceptedDeal, Deal, fundedDeal, pay } from '../support/deals';
import { escrowRow, eventTypes, ledgerBalances, ledgerReport, refundsOf, statusOf, waitForEscrow } from '../support/inspect';
import { failRefund, platformStripe } from '../support/stripe';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

const HOUR = 3_600_000;

/** M7 refunds that fail; item 4 events that come early; item 5 Stripe's 24-hour idempotency memory. */
describe('payments: refunds that fail (M7)', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());

  const settle = (id: string, body: object) => t.http.post(`/v1/admin/disputes/${id}/resolve`).set('authorization', admin.auth).send(body);
  const disputesOf = (requestId: string) =>
    t.ds.query(`SELECT id, kind, status, outcome, reference, refund_amount FROM disputes WHERE request_id = $1 ORDER BY created_at`, [requestId]) as Promise<
      Array<{ id: string; kind: string; status: string; outcome: string | null; reference: string | null; refund_amount: number | null }>
    >;
  const refundRows = (escrowId: string) =>
    t.ds.query(`SELECT id, amount, status, stripe_refund_id, idempotency_key, attempts FROM escrow_refunds WHERE escrow_id = $1 ORDER BY created_at`, [escrowId]) as Promise<
      Array<{ id: string; amount: number; status: string; stripe_refund_id: string | null; idempotency_key: string; attempts: number }>
    >;
  const failedDispute = (requestId: string) => waitFor('refund_failed dispute', async () => (await disputesOf(requestId)).find((d) => d.kind === 'refund_failed'));
  const ledgerOk = async () => expect((await ledgerReport(t, admin)).violations).toEqual([]);

  /** A customer dispute settled by an admin as a refund; the Refund is made after commit. */
  async function refundedByAdmin(amount: number, card = 'pm_card_visa'): Promise<{ deal: Deal; disputeId: string }> {
    const deal = await acceptedDeal(t, { amount, onboarded: false });
    await pay(t, deal.paymentIntentId, deal.clientSecret, card);
    await waitForEscrow(t, deal.escrowId, { status: 'held' });
    const opened = await t.http.post(`/v1/requests/${deal.requestId}/dispute`).set('authorization', deal.customer.auth).send({ reason: 'Nothing was fixed at all.' }).expect(201);
    await settle(opened.body.id as string, { outcome: 'refund' }).expect(200);
    return { deal, disputeId: opened.body.id as string };
  }

  it('M7 a refund Stripe fails after it succeeded: reversed in the ledger (held again), a refund_failed dispute; retry_refund makes a new Refund under a new key', async () => {
    const { deal, disputeId } = await refundedByAdmin(2400);
    const [made] = await refundsOf(t, deal.paymentIntentId);
    await waitFor('refund linked', async () => (await refundRows(deal.escrowId))[0]?.stripe_refund_id === made.id);
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ escrow_held: 0, refunded: 2400 });

    await failRefund(t, made.id);
    const failed = await failedDispute(deal.requestId);
    expect(failed).toMatchObject({ status: 'open' });
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'refunded', refunded_amount: 0 });
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ escrow_held: 2400, refunded: 0 });
    expect((await refundRows(deal.escrowId))[0]).toMatchObject({ status: 'failed', stripe_refund_id: made.id });
    expect(await eventTypes(t, deal.requestId, 'refund.failed')).toHaveLength(1);
    expect(await statusOf(t, deal.requestId)).toBe('refunded');
    await ledgerOk();

    for (const outcome of ['release', 'refund', 'recovered']) expect((await settle(failed.id, { outcome }).expect(422)).body.error.code).toBe('outcome_not_allowed');
    const retried = await settle(failed.id, { outcome: 'retry_refund' }).expect(200);
    expect(retried.body).toMatchObject({ kind: 'refund_failed', outcome: 'retry_refund', refundAmount: 2400 });
    await waitFor('second refund made', async () => (await refundRows(deal.escrowId))[1]?.stripe_refund_id);
    const rows = await refundRows(deal.escrowId);
    expect(rows.map((r) => [r.status, r.idempotency_key])).toEqual([
      ['failed', `refund:${disputeId}`],
      ['succeeded', `refund:${failed.id}`],
    ]);
    expect((await refundsOf(t, deal.paymentIntentId)).map((r) => r.status).sort()).toEqual(['failed', 'succeeded']);
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ escrow_held: 0, refunded: 2400 });
    expect((await t.app.get(ReconciliationService).run()).violations).toEqual([]);
    await ledgerOk();
  });

  it('M7 a card whose refunds always fail (pm_card_refundFail): written off, the money is owed to the customer (unclaimed_refunds), no longer held', async () => {
    const { deal } = await refundedByAdmin(1900, 'pm_card_refundFail');
    const failed = await failedDispute(deal.requestId);
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ escrow_held: 1900, refunded: 0 });
    await settle(failed.id, { outcome: 'write_off' }).expect(200);
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ escrow_held: 0, refunded: 0, unclaimed_refunds: 1900 });
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ unclaimed_amount: 1900 });
    expect((await settle(failed.id, { outcome: 'write_off' }).expect(409)).body.error.code).toBe('dispute_not_open');
    await ledgerOk();
  });

  it('M7 a refund Stripe refuses outright: handed to an admin at once, never retried', async () => {
    t.sandbox.faults.refuseNext('POST /v1/refunds', { code: 'charge_not_refundable', status: 400 });
    const { deal } = await refundedByAdmin(1300);
    const failed = await failedDispute(deal.requestId);
    expect(failed.status).toBe('open');
    const [row] = await refundRows(deal.escrowId);
    expect(row).toMatchObject({ status: 'failed', stripe_refund_id: null, attempts: 1 });
    // The job finds it failed and does nothing: no Refund at Stripe, ever.
    await t.app.get(RefundService).executeRefund(row.id);
    expect(await refundsOf(t, deal.paymentIntentId)).toHaveLength(0);
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ escrow_held: 1300, refunded: 0 });
    expect((await t.app.get(ReconciliationService).run()).violations).toEqual([]);
    await ledgerOk();
  });

  it(`M7 no refund is retried forever: after ${REFUND_MAX_ATTEMPTS} failed attempts it goes to an admin`, async () => {
    t.sandbox.faults.failNext('/v1/refunds', { status: 500, count: 1000 });
    const { deal } = await refundedByAdmin(1700);
    const [row] = await refundRows(deal.escrowId);
    const refunds = t.app.get(RefundService);
    for (let i = 0; i < REFUND_MAX_ATTEMPTS; i += 1) await refunds.executeRefund(row.id).catch(() => undefined);
    const failed = await failedDispute(deal.requestId);
    expect(failed.status).toBe('open');
    expect((await refundRows(deal.escrowId))[0]).toMatchObject({ status: 'failed' });
    expect((await refundRows(deal.escrowId))[0].attempts).toBeGreaterThanOrEqual(REFUND_MAX_ATTEMPTS);
    t.sandbox.faults.clear();
    await refunds.executeRefund(row.id);
    expect(await refundsOf(t, deal.paymentIntentId)).toHaveLength(0);
    await ledgerOk();
  });
});

describe('payments: events that arrive early (item 4) and keys older than 23 h (item 5, M3)', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());

  const eventStatus = async (id: string) => ((await t.ds.query(`SELECT status, link_id FROM stripe_events WHERE id = $1`, [id])) as Array<{ status: string; link_id: string | null }>)[0];

  it('W3 a refund event for a charge not linked yet waits (never dropped) and is applied once funding links the charge', async () => {
    const deal = await acceptedDeal(t, { amount: 2100, onboarded: false });
    t.sandbox.faults.dropWebhooks('payment_intent.succeeded', 1);
    const paid = await pay(t, deal.paymentIntentId, deal.clientSecret);
    const charge = String(paid.latest_charge);
    // Refunded in the Stripe dashboard before our funding webhook came.
    await platformStripe(t).refunds.create({ payment_intent: deal.paymentIntentId, amount: 500 });
    await t.sandbox.webhooksIdle();
    const [refunded] = (await platformStripe(t).events.list({ type: 'charge.refunded', limit: 100 })).data.filter((e) => (e.data.object as Stripe.Charge).id === charge);
    await waitFor('event waiting', async () => (await eventStatus(refunded.id))?.status === 'waiting');
    expect((await eventStatus(refunded.id)).link_id).toBe(charge);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'requires_payment' });

    const [succeeded] = (await platformStripe(t).events.list({ type: 'payment_intent.succeeded', limit: 100 })).data.filter(
      (e) => (e.data.object as Stripe.PaymentIntent).id === deal.paymentIntentId,
    );
    expect((await t.sandbox.resendEvent(succeeded.id)).status).toBe(200);
    await waitFor('refund applied after funding', async () => (await eventStatus(refunded.id)).status === 'applied');
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'held', refunded_amount: 500 });
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ escrow_held: 1600, refunded: 500 });
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('M3 a refund retried after 23 h looks for what the first attempt made (by listing) and uses a new key: one Refund', async () => {
    const deal = await fundedDeal(t, { amount: 2300, onboarded: false });
    const opened = await t.http.post(`/v1/requests/${deal.requestId}/dispute`).set('authorization', deal.customer.auth).send({ reason: 'Nothing was fixed at all.' }).expect(201);
    // The first attempt reaches Stripe, then the process dies before recording it.
    t.app.get(PaymentFaults).arm('after_refund_create', 2);
    await t.http.post(`/v1/admin/disputes/${opened.body.id as string}/resolve`).set('authorization', admin.auth).send({ outcome: 'refund' }).expect(200);
    const [row] = (await t.ds.query(`SELECT id, created_at FROM escrow_refunds WHERE escrow_id = $1`, [deal.escrowId])) as Array<{ id: string; created_at: Date }>;
    await waitFor('fault spent', async () => (await refundsOf(t, deal.paymentIntentId)).length === 1);
    t.app.get(PaymentFaults).clear();
    const later = new Date(row.created_at.getTime() + 25 * HOUR);
    await t.app.get(RefundService).executeRefund(row.id, later);
    const refunds = await refundsOf(t, deal.paymentIntentId);
    expect(refunds).toHaveLength(1);
    expect((await t.ds.query(`SELECT stripe_refund_id FROM escrow_refunds WHERE id = $1`, [row.id]))[0].stripe_refund_id).toBe(refunds[0].id);
  });

  it('M3 a PaymentIntent made again after 23 h is searched for by our metadata first: one PaymentIntent per escrow', async () => {
    const deal = await acceptedDeal(t, { amount: 2600, onboarded: false });
    // As if the accept's PaymentIntent was made but never recorded.
    await t.ds.query(`UPDATE escrows SET payment_intent_id = NULL, client_secret = NULL WHERE id = $1`, [deal.escrowId]);
    const created = ((await t.ds.query(`SELECT created_at FROM escrows WHERE id = $1`, [deal.escrowId])) as Array<{ created_at: Date }>)[0].created_at;
    const again = await t.app.get(EscrowService).ensurePaymentIntent(deal.escrowId, new Date(created.getTime() + 23.5 * HOUR));
    expect(again.paymentIntentId).toBe(deal.paymentIntentId);
    const ours = (await platformStripe(t).paymentIntents.list({ limit: 100 })).data.filter((pi) => pi.metadata.escrowId === deal.escrowId);
    expect(ours).toHaveLength(1);
  });
});

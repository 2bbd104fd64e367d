import { randomUUID } from 'node:crypto';
import { RefundService } from '../../src/payments/refund.service';
import { makeAdmin, TestUser } from '../support/factories';
import { acceptedDeal, escrowTransaction, fundedDeal, onboard, pay, payAfterCommit, releaseDeal } from '../support/deals';
import { escrowRow, eventTypes, ledgerBalances, ledgerReport, refundsOf, statusOf, waitForEscrow } from '../support/inspect';
import { platformStripe } from '../support/stripe';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(90_000);

/** The services the disputes feature calls, and the Stripe events that change money from outside. */
describe('payments: refunds, splits and chargebacks', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());
  afterEach(() => t.sandbox.faults.clear());

  it('M2 a split: refund 4000 of 10000 and release the rest → Stripe refund of 4000, Transfer of 5100 (fee on the released 6000 only), ledger ok', async () => {
    const deal = await fundedDeal(t, { amount: 10_000, onboarded: false, otherBidders: 1 });
    await onboard(t, deal.expert);
    const key = `refund:${randomUUID()}`;
    const refundId = await escrowTransaction(t, deal.requestId, async (escrows, em) => {
      const { refund } = await escrows.refundInTransaction(em, deal.escrowId, 4000, key, { reason: 'dispute split' });
      await escrows.releaseInTransaction(em, deal.escrowId, { reason: 'admin_split' });
      return refund.id;
    });
    await t.app.get(RefundService).refundAfterCommit(refundId as string);
    await payAfterCommit(t, deal.escrowId);
    await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'partially_refunded', refunded_amount: 4000, platform_fee: 1500, expert_payout: 8500 });
    expect((await refundsOf(t, deal.paymentIntentId)).map((r) => r.amount)).toEqual([4000]);
    expect((await platformStripe(t).transfers.list({ transfer_group: deal.requestId })).data.map((tr) => tr.amount)).toEqual([5100]);
    expect(await ledgerBalances(t, deal.escrowId)).toEqual({ customer_funds: -10_000, escrow_held: 0, refunded: 4000, platform_revenue: 900, expert_payable: 0, paid_out: 5100 });

    // The same decision again (a retried admin call): nothing more is refunded.
    await escrowTransaction(t, deal.requestId, (escrows, em) => escrows.refundInTransaction(em, deal.escrowId, 4000, key, { reason: 'dispute split' }));
    await waitFor('charge.refunded applied', async () => (await t.sandbox.webhookDeliveries()).some((d) => d.type === 'charge.refunded' && d.status === 200));
    expect((await refundsOf(t, deal.paymentIntentId)).map((r) => r.amount)).toEqual([4000]);
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('F2 Stripe answers 500 to the refund → our decision stands, nothing refunded yet; the retry makes exactly one refund', async () => {
    const deal = await fundedDeal(t, { amount: 3000, onboarded: false, otherBidders: 1 });
    t.sandbox.faults.failNext('POST /v1/refunds', { status: 500, count: 1000 });
    const refundId = (await escrowTransaction(t, deal.requestId, async (escrows, em) => (await escrows.refundInTransaction(em, deal.escrowId, 3000, `refund:${randomUUID()}`, { reason: 'dispute refund' })).refund.id)) as string;
    await t.app.get(RefundService).refundAfterCommit(refundId);
    expect(await refundsOf(t, deal.paymentIntentId)).toHaveLength(0);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'refunded', refunded_amount: 3000 });
    // Stripe recovers; the explicit retry and the refund job may now race: one key, one refund.
    t.sandbox.faults.clear();
    await t.app.get(RefundService).executeRefund(refundId);
    await t.app.get(RefundService).executeRefund(refundId);
    expect((await refundsOf(t, deal.paymentIntentId)).map((r) => r.amount)).toEqual([3000]);
    const [row] = await t.ds.query(`SELECT status, stripe_refund_id FROM escrow_refunds WHERE id = $1`, [refundId]);
    expect(row.status).toBe('succeeded');
    expect(row.stripe_refund_id).toMatch(/^re_/);
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('charge.refunded for a refund made in the dashboard → recorded once (refund row and ledger), however often it arrives', async () => {
    const deal = await fundedDeal(t, { amount: 2800, onboarded: false, otherBidders: 1 });
    const refund = await platformStripe(t).refunds.create({ payment_intent: deal.paymentIntentId, amount: 800 });
    const applied = await waitForEscrow(t, deal.escrowId, { refunded_amount: 800 });
    expect(applied).toMatchObject({ status: 'held' });
    const event = (await platformStripe(t).events.list({ type: 'charge.refunded', limit: 100 })).data[0];
    for (let i = 0; i < 3; i++) expect((await t.sandbox.resendEvent(event.id)).status).toBe(200);
    const rows = await t.ds.query(`SELECT idempotency_key, stripe_refund_id, amount FROM escrow_refunds WHERE escrow_id = $1`, [deal.escrowId]);
    expect(rows).toEqual([{ idempotency_key: `refund:external:${refund.id}`, stripe_refund_id: refund.id, amount: 800 }]);
    expect(await ledgerBalances(t, deal.escrowId)).toEqual({ customer_funds: -2800, escrow_held: 2000, refunded: 800 });
    expect((await eventTypes(t, deal.requestId, 'escrow.refunded')).length).toBe(1);
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('a full refund made in the dashboard → escrow refunded, the request handed to an admin (system dispute), who can only close it as refunded; no second refund', async () => {
    const deal = await fundedDeal(t, { amount: 2400, onboarded: false, otherBidders: 1 });
    await platformStripe(t).refunds.create({ payment_intent: deal.paymentIntentId });
    await waitFor('handed to an admin', async () => (await statusOf(t, deal.requestId)) === 'disputed');
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'refunded', refunded_amount: 2400 });
    const [dispute] = await t.ds.query(`SELECT id, opened_by FROM disputes WHERE request_id = $1`, [deal.requestId]);
    expect(dispute.opened_by).toBe('system');
    const resolve = (outcome: string) =>
      t.http.post(`/v1/admin/disputes/${dispute.id}/resolve`).set('authorization', admin.auth).send({ outcome });
    expect((await resolve('release').expect(409)).body.error.code).toBe('escrow_not_held');
    await resolve('refund').expect(200);
    expect(await statusOf(t, deal.requestId)).toBe('refunded');
    expect(await refundsOf(t, deal.paymentIntentId)).toHaveLength(1);
    expect(await ledgerBalances(t, deal.escrowId)).toEqual({ customer_funds: -2400, escrow_held: 0, refunded: 2400 });
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('M6 charge.dispute.created (a chargeback) freezes the escrow and disputes the request; no release and no refund, not even a whole one: the bank decides', async () => {
    const deal = await fundedDeal(t, { amount: 2600, onboarded: false, otherBidders: 1 });
    const { charge_id: charge } = await escrowRow(t, deal.escrowId);
    const opened = await fetch(`${t.sandbox.url}/sandbox/charges/${String(charge)}/dispute`, { method: 'POST', body: 'reason=fraudulent', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(opened.status).toBe(200);
    await waitForEscrow(t, deal.escrowId, { frozen: true });
    expect(await statusOf(t, deal.requestId)).toBe('disputed');
    expect((await eventTypes(t, deal.requestId, 'dispute.opened')).length).toBe(1);
    expect((await eventTypes(t, deal.requestId, 'chargeback.opened')).length).toBe(1);
    const disputes = await t.ds.query(`SELECT opened_by, kind, status FROM disputes WHERE request_id = $1`, [deal.requestId]);
    expect(disputes).toEqual([{ opened_by: 'chargeback', kind: 'chargeback', status: 'open' }]);

    await expect(escrowTransaction(t, deal.requestId, (escrows, em) => escrows.releaseInTransaction(em, deal.escrowId, { reason: 'admin_release' }))).rejects.toMatchObject({ code: 'escrow_frozen', status: 409 });
    for (const amount of [100, 2600]) {
      await expect(escrowTransaction(t, deal.requestId, (escrows, em) => escrows.refundInTransaction(em, deal.escrowId, amount, `refund:${randomUUID()}`, { reason: 'x' }))).rejects.toMatchObject({ code: 'escrow_frozen' });
    }
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'held', refunded_amount: 0, chargeback_status: 'open' });
    expect(await refundsOf(t, deal.paymentIntentId)).toHaveLength(0);
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('a chargeback that arrives before the funding webhook still freezes: once funded, the request is disputed, never releasable', async () => {
    const deal = await acceptedDeal(t, { amount: 2200, onboarded: false, otherBidders: 1 });
    t.sandbox.faults.dropWebhooks('payment_intent.succeeded', 1);
    const paid = await pay(t, deal.paymentIntentId, deal.clientSecret);
    const charge = String(paid.latest_charge);
    const opened = await fetch(`${t.sandbox.url}/sandbox/charges/${charge}/dispute`, { method: 'POST', body: 'reason=fraudulent', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(opened.status).toBe(200);
    await waitForEscrow(t, deal.escrowId, { frozen: true });
    expect(await statusOf(t, deal.requestId)).toBe('awaiting_payment');

    const events = (await platformStripe(t).events.list({ type: 'payment_intent.succeeded', limit: 100 })).data.reverse();
    const [succeeded] = events.filter((e) => (e.data.object as { id: string }).id === deal.paymentIntentId);
    expect((await t.sandbox.resendEvent(succeeded.id)).status).toBe(200);
    await waitFor('disputed after funding', async () => (await statusOf(t, deal.requestId)) === 'disputed');
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'held', frozen: true });
    await expect(escrowTransaction(t, deal.requestId, (escrows, em) => escrows.releaseInTransaction(em, deal.escrowId, { reason: 'admin_release' }))).rejects.toMatchObject({ code: 'escrow_frozen' });
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('C2 a second release of the same escrow is refused (escrow_not_held); one release in the ledger, one Transfer', async () => {
    const deal = await fundedDeal(t, { amount: 1500, onboarded: false, otherBidders: 1 });
    await onboard(t, deal.expert);
    await releaseDeal(t, deal);
    await expect(escrowTransaction(t, deal.requestId, (escrows, em) => escrows.releaseInTransaction(em, deal.escrowId, { reason: 'auto_release' }))).rejects.toMatchObject({ code: 'escrow_not_held' });
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM ledger_transactions WHERE escrow_id = $1 AND kind = 'release'`, [deal.escrowId]);
    expect(n).toBe(1);
    expect((await platformStripe(t).transfers.list({ transfer_group: deal.requestId })).data).toHaveLength(1);
  });
});

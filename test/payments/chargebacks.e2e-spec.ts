import Stripe from 'stripe';
import { ChargebackService } from '../../src/payments/chargeback.service';
import { PayoutService } from '../../src/payments/payout.service';
import { makeAdmin, TestUser } from '../support/factories';
import { Deal, fundedDeal, onboard, releaseDeal, resolve, resolvedDeal, reconcileWhile, review } from '../support/deals';
import { escrowRow, eventTypes, ledgerBalances, ledgerReport, refundsOf, statusOf, transfersOf, waitForEscrow } from '../support/inspect';
import { decideChargeback, openChargeback, platformStripe, setConnectedBalance } from '../support/stripe';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

/**
 * M6 M8: a chargeback's whole life through the sandbox — opened, won (also an inquiry's
 * warning_closed), lost in full or in part, before and after the payout — and a payout that
 * cannot race it. Every case ends with the admin ledger report clean.
 */
describe('payments: chargebacks to the end (M6, M8)', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());

  const chargeOf = async (deal: Deal) => String((await escrowRow(t, deal.escrowId)).charge_id);
  const disputes = (requestId: string) =>
    t.ds.query(`SELECT id, kind, status, outcome, reference FROM disputes WHERE request_id = $1 ORDER BY created_at`, [requestId]) as Promise<
      Array<{ id: string; kind: string; status: string; outcome: string | null; reference: string | null }>
    >;
  const settle = (id: string, body: object) => t.http.post(`/v1/admin/disputes/${id}/resolve`).set('authorization', admin.auth).send(body);
  const escrowView = (deal: Deal) => t.http.get(`/v1/requests/${deal.requestId}/escrow`).set('authorization', deal.customer.auth).expect(200);
  const accountOf = async (expertId: string) =>
    String(((await t.ds.query(`SELECT stripe_account_id FROM payout_accounts WHERE user_id = $1`, [expertId])) as Array<{ stripe_account_id: string }>)[0].stripe_account_id);
  const ledgerOk = async () => expect((await ledgerReport(t, admin)).violations).toEqual([]);

  async function chargedBack(deal: Deal, options: { amount?: number; inquiry?: boolean } = {}): Promise<string> {
    const dispute = await openChargeback(t, await chargeOf(deal), options);
    await waitForEscrow(t, deal.escrowId, { chargeback_status: 'open', frozen: true });
    return dispute.id;
  }

  it('M6 won before release: the escrow thaws, the request goes back to in_progress, and the job carries on to its payout', async () => {
    const deal = await fundedDeal(t, { amount: 3000 });
    const disputeId = await chargedBack(deal);
    expect(await statusOf(t, deal.requestId)).toBe('disputed');
    await decideChargeback(t, disputeId, 'won');
    await waitForEscrow(t, deal.escrowId, { chargeback_status: 'won', frozen: false });
    expect(await statusOf(t, deal.requestId)).toBe('in_progress');
    expect(await disputes(deal.requestId)).toEqual([expect.objectContaining({ kind: 'chargeback', status: 'resolved', outcome: 'chargeback_won', reference: disputeId })]);
    expect(await eventTypes(t, deal.requestId, 'chargeback.closed')).toHaveLength(1);
    expect((await escrowView(deal)).body.chargeback).toEqual({ status: 'won', amount: { amount: 3000, currency: 'usd' } });

    await resolve(t, deal).expect(200);
    await review(t, deal).expect(200);
    await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
    expect((await transfersOf(t, deal.requestId)).map((tr) => tr.amount)).toEqual([2550]);
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ paid_out: 2550, platform_revenue: 450, escrow_held: 0 });
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ chargeback_loss: 0 });
    await ledgerOk();
  });

  it('M6 won by evidence (winning_evidence through the SDK): a resolved request goes back to resolved and the review releases it', async () => {
    const deal = await resolvedDeal(t, { amount: 2000 });
    const disputeId = await chargedBack(deal);
    await platformStripe(t).disputes.update(disputeId, { evidence: { uncategorized_text: 'winning_evidence' } });
    await t.sandbox.webhooksIdle();
    await waitForEscrow(t, deal.escrowId, { chargeback_status: 'won', frozen: false });
    await waitFor('request back to resolved', async () => (await statusOf(t, deal.requestId)) === 'resolved');
    await review(t, deal).expect(200);
    await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
    await ledgerOk();
  });

  it("M6 an inquiry closed by Stripe (warning_closed) counts as won", async () => {
    const deal = await fundedDeal(t, { amount: 1500 });
    const disputeId = await chargedBack(deal, { inquiry: true });
    expect(await statusOf(t, deal.requestId)).toBe('disputed');
    await decideChargeback(t, disputeId, 'warning_closed');
    await waitForEscrow(t, deal.escrowId, { chargeback_status: 'won', frozen: false });
    expect(await statusOf(t, deal.requestId)).toBe('in_progress');
    await ledgerOk();
  });

  it('M6 lost in full before release: the amount is a chargeback loss (not a refund), the request ends refunded, no Stripe Refund, no Transfer', async () => {
    const deal = await fundedDeal(t, { amount: 3000 });
    const disputeId = await chargedBack(deal);
    await decideChargeback(t, disputeId, 'lost');
    await waitForEscrow(t, deal.escrowId, { chargeback_status: 'lost' });
    await waitFor('request refunded', async () => (await statusOf(t, deal.requestId)) === 'refunded');
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'refunded', refunded_amount: 0, chargeback_loss: 3000, chargeback_loss_held: 3000, frozen: false });
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ escrow_held: 0, chargeback_loss: 3000, customer_funds: -3000 });
    expect((await ledgerBalances(t, deal.escrowId)).refunded ?? 0).toBe(0);
    const [row] = await disputes(deal.requestId);
    expect(row).toMatchObject({ kind: 'chargeback', status: 'resolved', outcome: 'chargeback_lost' });
    expect((await settle(row.id, { outcome: 'refund' }).expect(409)).body.error.code).toBe('dispute_not_open');
    expect(await refundsOf(t, deal.paymentIntentId)).toHaveLength(0);
    expect(await transfersOf(t, deal.requestId)).toHaveLength(0);
    expect((await escrowView(deal)).body.chargeback).toEqual({ status: 'lost', amount: { amount: 3000, currency: 'usd' } });
    await ledgerOk();
  });

  it('M6 a partial chargeback lost: the disputed part is the loss; the rest is settled by an admin as a customer dispute would be', async () => {
    const deal = await fundedDeal(t, { amount: 4000 });
    const disputeId = await chargedBack(deal, { amount: 1000 });
    await decideChargeback(t, disputeId, 'lost');
    await waitForEscrow(t, deal.escrowId, { chargeback_status: 'lost', frozen: false });
    expect(await statusOf(t, deal.requestId)).toBe('disputed');
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ escrow_held: 3000, chargeback_loss: 1000 });
    const [row] = await disputes(deal.requestId);
    expect(row).toMatchObject({ kind: 'chargeback', status: 'open' });
    expect((await settle(row.id, { outcome: 'recovered' }).expect(422)).body.error.code).toBe('outcome_not_allowed');
    await settle(row.id, { outcome: 'release' }).expect(200);
    expect(await statusOf(t, deal.requestId)).toBe('completed');
    await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
    // The fee is on the 3000 that was left, as for a split.
    expect((await transfersOf(t, deal.requestId)).map((tr) => tr.amount)).toEqual([2550]);
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ escrow_held: 0, chargeback_loss: 1000, paid_out: 2550, platform_revenue: 450 });
    await ledgerOk();
  });

  it('M6 lost after the payout: the Transfer is reversed as far as the connected balance allows, the rest is owed (post_payout_chargeback: refund → 422, write_off settles it)', async () => {
    const deal = await resolvedDeal(t, { amount: 3000 });
    await review(t, deal).expect(200);
    await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
    await setConnectedBalance(t, await accountOf(deal.expert.id), 1000);
    const disputeId = await chargedBack(deal);
    expect(await statusOf(t, deal.requestId)).toBe('completed');
    await decideChargeback(t, disputeId, 'lost');
    await waitFor('post-payout dispute', async () => (await disputes(deal.requestId)).find((d) => d.kind === 'post_payout_chargeback'));
    const [transfer] = await transfersOf(t, deal.requestId);
    const reversals = await platformStripe(t).transfers.listReversals(transfer.id);
    expect(reversals.data.map((r) => r.amount)).toEqual([1000]);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ payout_status: 'reversed', chargeback_loss: 3000, chargeback_loss_held: 0 });
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ chargeback_loss: 3000, expert_receivable: -1550, paid_out: 1550, platform_revenue: 0 });
    expect(await statusOf(t, deal.requestId)).toBe('completed');
    await ledgerOk();

    const debt = (await disputes(deal.requestId)).find((d) => d.kind === 'post_payout_chargeback')!;
    expect(debt).toMatchObject({ status: 'open', reference: disputeId });
    for (const outcome of ['refund', 'release', 'retry_refund']) {
      expect((await settle(debt.id, { outcome }).expect(422)).body.error.code).toBe('outcome_not_allowed');
    }
    const resolved = await settle(debt.id, { outcome: 'write_off' }).expect(200);
    expect(resolved.body).toMatchObject({ kind: 'post_payout_chargeback', status: 'resolved', outcome: 'write_off', refundAmount: 1550 });
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ expert_receivable: 0, platform_revenue: -1550 });
    // The reversal job run again (a retried job) reverses nothing more.
    await t.app.get(ChargebackService).reverseTransfers(deal.escrowId);
    expect((await platformStripe(t).transfers.listReversals(transfer.id)).data).toHaveLength(1);
    await ledgerOk();
  });

  it.each(['won', 'lost'] as const)(
    'M6 F9 a chargeback first heard of after Stripe decided it (%s): opened and closed in one step, the request not left disputed (found by the chaos run)',
    async (outcome) => {
      const deal = await fundedDeal(t, { amount: 2600 });
      // The dispute's webhooks are lost while the bank decides; then charge.dispute.created comes late.
      t.sandbox.faults.dropWebhooks('charge.dispute.*', 100);
      const dispute = await openChargeback(t, await chargeOf(deal));
      await decideChargeback(t, dispute.id, outcome);
      await t.sandbox.webhooksIdle();
      t.sandbox.faults.clear();
      const [created] = (await platformStripe(t).events.list({ type: 'charge.dispute.created', limit: 100 })).data.filter(
        (e) => (e.data.object as Stripe.Dispute).id === dispute.id,
      );
      await t.sandbox.resendEvent(created.id);
      await waitForEscrow(t, deal.escrowId, { chargeback_status: outcome, frozen: false });
      expect(await statusOf(t, deal.requestId)).toBe(outcome === 'won' ? 'in_progress' : 'refunded');
      expect(await disputes(deal.requestId)).toEqual([expect.objectContaining({ kind: 'chargeback', status: 'resolved', outcome: `chargeback_${outcome}`, reference: dispute.id })]);
      await ledgerOk();
    },
  );

  it('M4 F9 a reversal made while reconciliation runs, after it read Stripe, is read by id there — not reported as an entry Stripe does not know (found by the chaos run)', async () => {
    const deal = await resolvedDeal(t, { amount: 2800 });
    await review(t, deal).expect(200);
    await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
    // Stripe refuses the reversal for now: the lost chargeback's reversal waits.
    t.sandbox.faults.failNext('POST /v1/transfers/*/reversals', { status: 500, count: 1000 });
    await chargedBack(deal).then((disputeId) => decideChargeback(t, disputeId, 'lost'));
    await waitForEscrow(t, deal.escrowId, { chargeback_status: 'lost' });
    try {
      // Reconciliation has read the swept escrows at Stripe; the reversal is made and posted before it compares.
      const { violations } = await reconcileWhile(t, async () => {
        t.sandbox.faults.clear();
        await t.app.get(ChargebackService).reverseTransfers(deal.escrowId);
      });
      expect(await escrowRow(t, deal.escrowId)).toMatchObject({ payout_status: 'reversed' });
      expect(violations).toEqual([]);
    } finally {
      t.sandbox.faults.clear();
    }
    await ledgerOk();
  });

  it('M6 a payout waiting for onboarding on a frozen escrow stays waiting, and goes on a win', async () => {
    const deal = await resolvedDeal(t, { amount: 2500, onboarded: false });
    await review(t, deal).expect(200);
    await waitForEscrow(t, deal.escrowId, { status: 'released', payout_status: 'pending' });
    const disputeId = await chargedBack(deal);
    await onboard(t, deal.expert);
    await t.sandbox.webhooksIdle();
    expect(await t.app.get(PayoutService).payEscrow(deal.escrowId)).toBe('frozen');
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ payout_status: 'pending' });
    expect(await transfersOf(t, deal.requestId)).toHaveLength(0);
    await decideChargeback(t, disputeId, 'won');
    await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
    expect((await transfersOf(t, deal.requestId)).map((tr) => tr.amount)).toEqual([2125]);
    await ledgerOk();
  });

  it('M8 a payout racing a chargeback: a Transfer starts only on an unfrozen escrow; lost afterwards, whichever came first, the ledger accounts for every cent', async () => {
    for (let i = 0; i < 4; i += 1) {
      const deal = await resolvedDeal(t, { amount: 2000 + i * 100 });
      await releaseDeal(t, deal, false);
      const [paid] = await Promise.all([t.app.get(PayoutService).payEscrow(deal.escrowId).catch(() => 'failed'), openChargeback(t, await chargeOf(deal))]);
      await waitForEscrow(t, deal.escrowId, { chargeback_status: 'open' });
      const transfers = await transfersOf(t, deal.requestId);
      const row = await escrowRow(t, deal.escrowId);
      // Either the Transfer was decided before the freeze (and recorded), or it never started.
      expect(transfers.length).toBe(paid === 'paid' ? 1 : 0);
      expect(row.payout_status).toBe(paid === 'paid' ? 'paid' : 'pending');
      const disputeId = String(row.stripe_dispute_id);
      await decideChargeback(t, disputeId, 'lost');
      await waitForEscrow(t, deal.escrowId, { chargeback_status: 'lost' });
      await t.sandbox.webhooksIdle();
      await waitFor('no payout job left', async () => {
        const left = (await escrowRow(t, deal.escrowId)).payout_status;
        return left !== 'transferring';
      });
      await ledgerOk();
    }
  });
});

describe('payments: the security hold (PAYOUT_HOLD_HOURS, M8)', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ payoutHoldHours: 24 });
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());

  it('a release waits for the hold (payoutAvailableAt); a chargeback lost within it comes out of what is owed, with nothing to reverse', async () => {
    const deal = await resolvedDeal(t, { amount: 3000 });
    await review(t, deal).expect(200);
    await waitForEscrow(t, deal.escrowId, { status: 'released', payout_status: 'pending' });
    const view = await t.http.get(`/v1/requests/${deal.requestId}/escrow`).set('authorization', deal.expert.auth).expect(200);
    const availableAt = new Date(view.body.payoutAvailableAt as string).getTime();
    expect(availableAt - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect(availableAt - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    expect(await t.app.get(PayoutService).payEscrow(deal.escrowId)).toBe('held');

    const dispute = await openChargeback(t, String((await escrowRow(t, deal.escrowId)).charge_id));
    await waitForEscrow(t, deal.escrowId, { chargeback_status: 'open' });
    await decideChargeback(t, dispute.id, 'lost');
    await waitForEscrow(t, deal.escrowId, { chargeback_status: 'lost' });
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ chargeback_loss: 3000, expert_payable: 0, platform_revenue: 0 });
    const later = new Date(Date.now() + 25 * 3_600_000);
    expect(await t.app.get(PayoutService).payEscrow(deal.escrowId, later)).toBe('nothing_to_pay');
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ payout_status: 'none' });
    expect(await transfersOf(t, deal.requestId)).toHaveLength(0);
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });
});

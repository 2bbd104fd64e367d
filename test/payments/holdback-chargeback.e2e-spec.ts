import { ChargebackService } from '../../src/payments/chargeback.service';
import { RequestLifecycle } from '../../src/requests/request-lifecycle.service';
import { Deal, resolvedDeal, reconcileWhile, review } from '../support/deals';
import { makeAdmin, TestUser } from '../support/factories';
import { escrowRow, ledgerBalances, ledgerReport, ledgerTxnCount, transfersOf, waitForEscrow } from '../support/inspect';
import { decideChargeback, openChargeback, platformStripe, setConnectedBalance } from '../support/stripe';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

/**
 * Found while teaching `npm run chaos` the warranty (its new check: a lost chargeback never takes
 * more from the platform than the fee it kept on the job): the loss was shared out over what the
 * release gave — but the release's parts were read without the holdback, so the expert's part came
 * out short (2253 reversed of 2295) and the platform gave up 492 of a 450 fee.
 */
describe('a chargeback lost while a warranty holdback is held', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());

  it('M6 M9 the expert gives back their whole payout — the holdback first, the rest reversed — and the platform its fee, no more', async () => {
    // 3000: fee 450, payout 2550 = 2295 transferred + 255 held back for a 7-day warranty.
    const deal = await resolvedDeal(t, { amount: 3000, warrantyDays: 7 });
    await review(t, deal).expect(200);
    await waitForEscrow(t, deal.escrowId, { payout_status: 'paid', warranty_status: 'held' });
    const chargeId = String((await escrowRow(t, deal.escrowId)).charge_id);
    const dispute = await openChargeback(t, chargeId);
    await waitForEscrow(t, deal.escrowId, { chargeback_status: 'open' });
    await platformStripe(t).disputes.update(dispute.id, { evidence: { uncategorized_text: 'losing_evidence' } });
    await waitForEscrow(t, deal.escrowId, { chargeback_status: 'lost', payout_status: 'reversed' });
    const [transfer] = await transfersOf(t, deal.requestId);
    await waitFor('reversal recorded', async () => (await ledgerBalances(t, deal.escrowId)).expert_receivable === 0);
    expect((await platformStripe(t).transfers.listReversals(transfer.id)).data.map((r) => r.amount)).toEqual([2295]);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ warranty_lost: 255, chargeback_loss: 3000 });
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ chargeback_loss: 3000, warranty_held: 0, paid_out: 0, platform_revenue: 0, expert_receivable: 0 });
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('M6 M8 the warranty ends while a chargeback is open: the holdback waits, and is paid as soon as the chargeback is won', async () => {
    const deal = await resolvedDeal(t, { amount: 3000, warrantyDays: 7 });
    await review(t, deal).expect(200);
    await waitForEscrow(t, deal.escrowId, { payout_status: 'paid', warranty_status: 'held' });
    const dispute = await openChargeback(t, String((await escrowRow(t, deal.escrowId)).charge_id));
    await waitForEscrow(t, deal.escrowId, { chargeback_status: 'open', frozen: true });
    // The warranty runs out meanwhile (its instant moved back, its timer fired as the job would).
    await t.ds.query(`UPDATE help_requests SET warranty_ends_at = now() - interval '1 minute' WHERE id = $1`, [deal.requestId]);
    expect(await t.app.get(RequestLifecycle).fireTimer('warranty_release', deal.requestId)).toBe(true);
    await waitForEscrow(t, deal.escrowId, { warranty_status: 'released', holdback_payout_status: 'pending' });
    // Its payout job has run and found the escrow frozen: nothing else is left to pay it.
    await waitFor('holdback payout job done', async () => {
      const rows = (await t.ds.query(`SELECT state FROM pgboss.job WHERE name = 'payments.holdback-payout' AND data->>'escrowId' = $1`, [deal.escrowId])) as Array<{ state: string }>;
      return rows.length > 0 && rows.every((r) => r.state === 'completed');
    });
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ holdback_payout_status: 'pending' });
    await decideChargeback(t, dispute.id, 'won');
    await waitForEscrow(t, deal.escrowId, { chargeback_status: 'won', holdback_payout_status: 'paid' });
    expect((await transfersOf(t, deal.requestId)).map((tr) => tr.amount).sort((a, b) => a - b)).toEqual([255, 2295]);
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });
});

/**
 * Issue 10's gap in issue 9's rule: a chargeback lost after the warranty's holdback was paid by its
 * own Transfer. The expert owes their whole payout back; both of their Transfers are reversed —
 * the main one first, then the holdback's — as far as their connected balance allows, each once.
 */
describe('a chargeback lost after the warranty holdback was paid', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());

  /** 3000, 7-day warranty: fee 450, payout 2550 = 2295 by the main Transfer + 255 by the holdback's once the warranty ended. */
  async function holdbackPaidDeal(): Promise<{ deal: Deal; main: string; holdback: string; account: string }> {
    const deal = await resolvedDeal(t, { amount: 3000, warrantyDays: 7 });
    await review(t, deal).expect(200);
    await waitForEscrow(t, deal.escrowId, { payout_status: 'paid', warranty_status: 'held' });
    await t.ds.query(`UPDATE help_requests SET warranty_ends_at = now() - interval '1 minute' WHERE id = $1`, [deal.requestId]);
    expect(await t.app.get(RequestLifecycle).fireTimer('warranty_release', deal.requestId)).toBe(true);
    const row = await waitForEscrow(t, deal.escrowId, { warranty_status: 'released', holdback_payout_status: 'paid' });
    const [{ stripe_account_id: account }] = (await t.ds.query(`SELECT stripe_account_id FROM payout_accounts WHERE user_id = $1`, [deal.expert.id])) as Array<{ stripe_account_id: string }>;
    return { deal, main: String(row.transfer_id), holdback: String(row.holdback_transfer_id), account };
  }

  async function loseChargeback(deal: Deal): Promise<string> {
    const dispute = await openChargeback(t, String((await escrowRow(t, deal.escrowId)).charge_id));
    await waitForEscrow(t, deal.escrowId, { chargeback_status: 'open', frozen: true });
    await decideChargeback(t, dispute.id, 'lost');
    await waitForEscrow(t, deal.escrowId, { chargeback_status: 'lost' });
    return dispute.id;
  }

  const reversals = async (transferId: string) => (await platformStripe(t).transfers.listReversals(transferId, { limit: 100 })).data;
  const debts = (requestId: string) =>
    t.ds.query(`SELECT status, reference FROM disputes WHERE request_id = $1 AND kind = 'post_payout_chargeback'`, [requestId]) as Promise<Array<{ status: string; reference: string }>>;
  const jobsDone = (escrowId: string) =>
    waitFor('reversal job done', async () => {
      const rows = (await t.ds.query(`SELECT state FROM pgboss.job WHERE name = 'payments.chargeback-reversal' AND data->>'escrowId' = $1`, [escrowId])) as Array<{ state: string }>;
      return rows.length > 0 && rows.every((r) => r.state === 'completed');
    }, 60_000);

  it('M6 M9 both Transfers reversed — the main one, then the holdback — and nothing owed when the balance allows', async () => {
    const { deal, main, holdback } = await holdbackPaidDeal();
    expect((await transfersOf(t, deal.requestId)).map((tr) => tr.amount).sort((a, b) => a - b)).toEqual([255, 2295]);
    await loseChargeback(deal);
    await waitForEscrow(t, deal.escrowId, { payout_status: 'reversed', holdback_payout_status: 'reversed' });
    await jobsDone(deal.escrowId);
    expect((await reversals(main)).map((r) => [r.amount, r.metadata?.reversalKey])).toEqual([[2295, `reversal:expert:${deal.escrowId}`]]);
    expect((await reversals(holdback)).map((r) => [r.amount, r.metadata?.reversalKey])).toEqual([[255, `reversal:holdback:${deal.escrowId}`]]);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ chargeback_loss: 3000, warranty_lost: 0 });
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ chargeback_loss: 3000, warranty_held: 0, paid_out: 0, platform_revenue: 0, expert_receivable: 0 });
    expect(await ledgerTxnCount(t, deal.requestId, 'reversal')).toBe(2);
    expect(await debts(deal.requestId)).toEqual([]);
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('M6 M9 the balance short: reversed as far as it allows (main Transfer whole, part of the holdback), the rest owed with a post_payout_chargeback dispute', async () => {
    const { deal, main, holdback, account } = await holdbackPaidDeal();
    await setConnectedBalance(t, account, 2400);
    const disputeId = await loseChargeback(deal);
    await waitFor('post-payout dispute', async () => (await debts(deal.requestId)).length > 0);
    expect((await reversals(main)).map((r) => r.amount)).toEqual([2295]);
    expect((await reversals(holdback)).map((r) => r.amount)).toEqual([105]);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ payout_status: 'reversed', holdback_payout_status: 'reversed', chargeback_loss: 3000 });
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ chargeback_loss: 3000, paid_out: 150, platform_revenue: 0, expert_receivable: -150 });
    expect(await debts(deal.requestId)).toEqual([{ status: 'open', reference: disputeId }]);
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('M6 F1 the reversal job crashes after Stripe reversed the holdback, before our commit, and runs again, twice at once: one reversal per Transfer, each posted once', async () => {
    const { deal, main, holdback } = await holdbackPaidDeal();
    // Stripe makes the holdback's reversal and the answer is lost (502), retries included: the job fails after the Stripe call.
    t.sandbox.faults.failNext(`POST /v1/transfers/${holdback}/reversals`, { status: 502, applyFirst: true, count: 1000 });
    try {
      await loseChargeback(deal);
      await waitFor('holdback reversed at Stripe', async () => (await reversals(holdback)).length > 0);
      await waitFor('reversal job failed', async () => {
        const rows = (await t.ds.query(`SELECT state FROM pgboss.job WHERE name = 'payments.chargeback-reversal' AND data->>'escrowId' = $1`, [deal.escrowId])) as Array<{ state: string }>;
        return rows.some((r) => r.state === 'retry' || r.state === 'failed');
      });
      // The main Transfer's reversal was committed; the holdback's exists at Stripe only.
      expect(await escrowRow(t, deal.escrowId)).toMatchObject({ payout_status: 'reversed', holdback_payout_status: 'paid' });
      expect(await ledgerTxnCount(t, deal.requestId, 'reversal')).toBe(1);
    } finally {
      t.sandbox.faults.clear();
    }
    const service = t.app.get(ChargebackService);
    await Promise.all([service.reverseTransfers(deal.escrowId), service.reverseTransfers(deal.escrowId)]);
    await service.reverseTransfers(deal.escrowId);
    await jobsDone(deal.escrowId);
    expect((await reversals(main)).map((r) => r.amount)).toEqual([2295]);
    expect((await reversals(holdback)).map((r) => r.amount)).toEqual([255]);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ payout_status: 'reversed', holdback_payout_status: 'reversed' });
    expect(await ledgerTxnCount(t, deal.requestId, 'reversal')).toBe(2);
    expect(await ledgerBalances(t, deal.escrowId)).toMatchObject({ paid_out: 0, expert_receivable: 0 });
    expect(await debts(deal.requestId)).toEqual([]);
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('M4 M6 a holdback reversal made while reconciliation runs, after it read Stripe, is read by its Transfer there — not reported as an entry Stripe does not know', async () => {
    const { deal, holdback } = await holdbackPaidDeal();
    // Stripe refuses the holdback's reversal for now: the main Transfer is reversed, the holdback waits.
    t.sandbox.faults.failNext(`POST /v1/transfers/${holdback}/reversals`, { status: 500, count: 1000 });
    try {
      await loseChargeback(deal);
      await waitForEscrow(t, deal.escrowId, { payout_status: 'reversed', holdback_payout_status: 'paid' });
      // Reconciliation has read the swept escrows at Stripe; the holdback's reversal is made and posted before it compares.
      const { violations } = await reconcileWhile(t, async () => {
        t.sandbox.faults.clear();
        await t.app.get(ChargebackService).reverseTransfers(deal.escrowId);
      });
      expect(await escrowRow(t, deal.escrowId)).toMatchObject({ holdback_payout_status: 'reversed' });
      expect(violations).toEqual([]);
    } finally {
      t.sandbox.faults.clear();
    }
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });
});

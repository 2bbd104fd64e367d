import { withTransaction } from '../../src/database/transaction';
import { LedgerImbalanceError, LedgerService } from '../../src/payments/ledger.service';
import { LedgerReportService } from '../../src/payments/ledger-report.service';
import { ReconciliationService } from '../../src/payments/reconciliation.service';
import { makeAdmin, registerUser, TestUser } from '../support/factories';
import { acceptedDeal, escrowTransaction, fundedDeal, onboard, pay } from '../support/deals';
import { escrowRow, ledgerReport, waitForEscrow } from '../support/inspect';
import { platformStripe } from '../support/stripe';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(90_000);

/** M1 in the database itself, the posting API's refusal, the admin report and M4 reconciliation. */
describe('payments: the ledger', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());

  const count = async (table: string) => Number((await t.ds.query(`SELECT count(*) FROM ${table}`))[0].count);

  it('M1 UPDATE, DELETE and TRUNCATE on ledger_entries and ledger_transactions are refused by the database', async () => {
    await fundedDeal(t, { amount: 1000, onboarded: false, otherBidders: 1 });
    for (const table of ['ledger_entries', 'ledger_transactions']) {
      const before = await count(table);
      const column = table === 'ledger_entries' ? 'amount = amount + 1' : `reference = reference || 'x'`;
      await expect(t.ds.query(`UPDATE ${table} SET ${column}`)).rejects.toThrow(/append-only/);
      await expect(t.ds.query(`DELETE FROM ${table}`)).rejects.toThrow(/append-only/);
      await expect(t.ds.query(`TRUNCATE ${table} CASCADE`)).rejects.toThrow(/append-only/);
      expect(await count(table)).toBe(before);
    }
  });

  it('M1 an unbalanced posting is refused by LedgerService before anything is written, and by the database at commit', async () => {
    const deal = await fundedDeal(t, { amount: 1100, onboarded: false, otherBidders: 1 });
    const ledgerService = t.app.get(LedgerService);
    const before = await count('ledger_entries');
    const post = (lines: Array<{ account: 'escrow_held' | 'customer_funds'; amount: number }>) =>
      withTransaction(t.ds, (em) =>
        ledgerService.post(em, { kind: 'funding', reference: `test:${lines.length}:${lines[0].amount}`, escrowId: deal.escrowId, requestId: deal.requestId, currency: 'usd', lines }),
      );
    await expect(post([{ account: 'escrow_held', amount: 100 }, { account: 'customer_funds', amount: -99 }])).rejects.toBeInstanceOf(LedgerImbalanceError);
    await expect(post([{ account: 'escrow_held', amount: 100 }])).rejects.toBeInstanceOf(LedgerImbalanceError);
    await expect(post([{ account: 'escrow_held', amount: 0.5 }, { account: 'customer_funds', amount: -0.5 }])).rejects.toBeInstanceOf(LedgerImbalanceError);
    // Around the service: the deferred constraint trigger refuses the commit.
    await expect(
      withTransaction(t.ds, async (em) => {
        const [{ id }] = await em.query(`INSERT INTO ledger_transactions (kind, reference, escrow_id, request_id) VALUES ('funding', 'raw:1', $1, $2) RETURNING id`, [deal.escrowId, deal.requestId]);
        await em.query(
          `INSERT INTO ledger_entries (txn_id, account, amount, currency, escrow_id, request_id, kind) VALUES ($1, 'escrow_held', 100, 'usd', $2, $3, 'funding'), ($1, 'customer_funds', -90, 'usd', $2, $3, 'funding')`,
          [id, deal.escrowId, deal.requestId],
        );
      }),
    ).rejects.toThrow(/does not balance/);
    await expect(
      withTransaction(t.ds, (em) => em.query(`INSERT INTO ledger_transactions (kind, reference, escrow_id, request_id) VALUES ('funding', 'raw:2', $1, $2)`, [deal.escrowId, deal.requestId])),
    ).rejects.toThrow(/fewer than two lines/);
    expect(await count('ledger_entries')).toBe(before);
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });

  it('M2 F9 the report reads one snapshot: a payment funded while it runs is never a false escrow_held_mismatch (found by the chaos run)', async () => {
    const deal = await acceptedDeal(t, { amount: 2200, onboarded: false });
    const reports = t.app.get(LedgerReportService);
    // Between the report's balances and its check of the escrows, the customer pays and the funding commits.
    const checks = reports as unknown as { heldMismatches: (...args: unknown[]) => Promise<unknown> };
    const heldMismatches = checks.heldMismatches.bind(reports);
    const spy = jest.spyOn(checks, 'heldMismatches').mockImplementationOnce(async (...args: unknown[]) => {
      await pay(t, deal.paymentIntentId, deal.clientSecret);
      await waitForEscrow(t, deal.escrowId, { status: 'held' });
      return heldMismatches(...args);
    });
    try {
      const during = await reports.report();
      expect(spy).toHaveBeenCalledTimes(1);
      expect(during.violations).toEqual([]);
    } finally {
      spy.mockRestore();
    }
    const after = await ledgerReport(t, admin);
    expect(after.violations).toEqual([]);
  });

  it('API5 GET /v1/admin/ledger is for admins only: a customer or expert → 403, no token → 401', async () => {
    const customer = await registerUser(t, 'customer');
    const expert = await registerUser(t, 'expert');
    for (const who of [customer, expert]) {
      const res = await t.http.get('/v1/admin/ledger').set('authorization', who.auth);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect((await t.http.get('/v1/admin/ledger')).status).toBe(401);
    const report = await ledgerReport(t, admin);
    expect(Object.keys(report.balances).sort()).toEqual(['eur', 'gbp', 'usd']);
    expect(Object.keys(report.balances.usd).sort()).toEqual([
      'chargeback_loss',
      'escrow_held',
      'expert_payable',
      'expert_receivable',
      'paid_out',
      'partner_payable',
      'partner_receivable',
      'platform_revenue',
      'refunded',
      'unclaimed_refunds',
      'warranty_held',
    ]);
  });

  it('M4 reconciliation pages through Stripe with starting_after: a paid PaymentIntent behind 150 newer ones is still found and funded', async () => {
    const deal = await acceptedDeal(t, { amount: 1900, onboarded: false, otherBidders: 1 });
    t.sandbox.faults.dropWebhooks('payment_intent.succeeded');
    await pay(t, deal.paymentIntentId, deal.clientSecret);
    for (let i = 0; i < 150; i++) await platformStripe(t).paymentIntents.create({ amount: 500 + i, currency: 'usd' });
    const { repaired, violations } = await t.app.get(ReconciliationService).run();
    expect(repaired).toEqual([`payment_intent_sync:${deal.escrowId}`]);
    expect(violations).toEqual([]);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'held' });
  });

  it('M4 reconciliation reports a Stripe object without its ledger entry, and a ledger entry Stripe does not know', async () => {
    const deal = await fundedDeal(t, { amount: 4000, onboarded: false, otherBidders: 1 });
    await onboard(t, deal.expert);
    const [{ stripe_account_id: destination }] = await t.ds.query(`SELECT stripe_account_id FROM payout_accounts WHERE user_id = $1`, [deal.expert.id]);
    // Someone pays the expert from the dashboard, outside Fixbid.
    const [{ charge_id: charge }] = await t.ds.query(`SELECT charge_id FROM escrows WHERE id = $1`, [deal.escrowId]);
    const stray = await platformStripe(t).transfers.create({ amount: 100, currency: 'usd', destination, source_transaction: charge, metadata: { escrowId: deal.escrowId } });
    // And a refund is recorded as made at Stripe under an id Stripe never issued.
    await escrowTransaction(t, deal.requestId, async (escrows, em) => {
      const { refund } = await escrows.refundInTransaction(em, deal.escrowId, 300, `refund:test-${deal.escrowId}`, { reason: 'test' });
      await em.query(`UPDATE escrow_refunds SET stripe_refund_id = 're_NeverIssued000', status = 'succeeded' WHERE id = $1`, [refund.id]);
    });
    const { violations } = await t.app.get(ReconciliationService).run();
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'stripe_transfer_without_ledger', stripeId: stray.id, escrowId: deal.escrowId }),
        expect.objectContaining({ code: 'ledger_refund_without_stripe_refund', stripeId: 're_NeverIssued000', escrowId: deal.escrowId }),
      ]),
    );
    const report = await waitFor('report', async () => ledgerReport(t, admin));
    expect(report.ok).toBe(false);
    expect(report.violations.map((v) => v.code)).toEqual(expect.arrayContaining(['stripe_transfer_without_ledger', 'ledger_refund_without_stripe_refund']));
  });

  describe('M4 reconciliation is incremental, bounded and never overlaps', () => {
    /** As if the last run finished with its watermark `minutesAhead` from now (a margin of 15 min is taken off). */
    const lastRunAt = (minutesAhead: number) =>
      t.ds.query(`INSERT INTO reconciliation_runs (started_at, finished_at, repaired, violations, watermark) VALUES (now(), now(), '[]', '[]', now() + $1 * interval '1 minute')`, [minutesAhead]);

    it('M4 two runs at once: one runs, the other is skipped (a cluster-wide lock)', async () => {
      const reconciliation = t.app.get(ReconciliationService);
      const results = await Promise.all([reconciliation.run(), reconciliation.run(), reconciliation.run()]);
      expect(results.filter((r) => r.skipped)).toHaveLength(2);
      expect(results.filter((r) => !r.skipped)).toHaveLength(1);
    });

    it('M4 after a watermark only what Stripe created since is listed, and a lost webhook older than the watermark is still repaired by the sweep (F7)', async () => {
      const deal = await acceptedDeal(t, { amount: 2100, onboarded: false, otherBidders: 1 });
      t.sandbox.faults.dropWebhooks('payment_intent.succeeded');
      await pay(t, deal.paymentIntentId, deal.clientSecret);
      for (let i = 0; i < 30; i++) await platformStripe(t).paymentIntents.create({ amount: 700 + i, currency: 'usd' });
      // Everything above is older than the window the next run lists (Stripe's `created` is in seconds).
      await new Promise((r) => setTimeout(r, 1100));
      await lastRunAt(15);
      const { repaired, violations, stripeObjects } = await t.app.get(ReconciliationService).run();
      expect(repaired).toEqual([`payment_intent_sync:${deal.escrowId}`]);
      expect(violations).toEqual([]);
      expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'held' });
      // Not the 30 PaymentIntents (nor anything else made before): only the swept escrows' own objects.
      expect(stripeObjects).toBeLessThan(10);
    });

    it("M4 a violation found once is checked again by the next runs (its escrow is swept), whatever the watermark", async () => {
      const deal = await fundedDeal(t, { amount: 2700, onboarded: false, otherBidders: 1 });
      await onboard(t, deal.expert);
      const [{ stripe_account_id: destination, charge_id: charge }] = await t.ds.query(
        `SELECT a.stripe_account_id, e.charge_id FROM payout_accounts a JOIN escrows e ON e.expert_id = a.user_id WHERE e.id = $1`,
        [deal.escrowId],
      );
      const stray = await platformStripe(t).transfers.create({ amount: 100, currency: 'usd', destination, source_transaction: charge, metadata: { escrowId: deal.escrowId } });
      const first = await t.app.get(ReconciliationService).run();
      expect(first.violations).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'stripe_transfer_without_ledger', stripeId: stray.id })]));
      await lastRunAt(15);
      await t.ds.query(`UPDATE reconciliation_runs SET violations = $1 WHERE watermark > now()`, [JSON.stringify(first.violations)]);
      const second = await t.app.get(ReconciliationService).run();
      expect(second.violations).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'stripe_transfer_without_ledger', stripeId: stray.id })]));
    });
  });
});

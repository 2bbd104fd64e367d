import Stripe from 'stripe';
import { PaymentFaults } from '../../src/payments/payment-faults';
import { PayoutService } from '../../src/payments/payout.service';
import { ReconciliationService } from '../../src/payments/reconciliation.service';
import { fundedDeal, releaseDeal, resolve, review } from '../support/deals';
import { createProfile, makeAdmin, registerUser, TestUser } from '../support/factories';
import { escrowRow, ledgerBalances, ledgerReport, ledgerTxnCount, refundsOf, transfersOf, waitForEscrow } from '../support/inspect';
import { actingAs, createPartner, fundedPartnerDeal, onboardPartner, PartnerDeal, partnerReview, startPartnerOnboarding, TestPartner } from '../support/partners';
import { openOnboardingLink } from '../support/stripe';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

/**
 * The partner's revenue share (contract "Partners", RELIABILITY M9): for a request posted by a
 * partner's user, revenueShareBps (fixed at funding) of the fee kept is booked to partner_payable
 * in the release's ledger transaction and paid by one Transfer (M3: `transfer:partner:<escrowId>`)
 * to the partner's connected account, onboarded like an expert's.
 */
describe('partner revenue share', () => {
  let t: TestApp;
  let admin: TestUser;
  let expert: TestUser;
  /** 20 %, onboarded during the second test. */
  let acme: TestPartner;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
    expert = await registerUser(t, 'expert');
    await createProfile(t, expert);
    acme = await createPartner(t, admin, { name: 'Acme Help Desk', revenueShareBps: 2000 });
  });
  afterAll(() => t.close());

  const partnerTransfers = async (requestId: string): Promise<Stripe.Transfer[]> => (await transfersOf(t, requestId)).filter((tr) => tr.metadata?.purpose === 'partner');
  const expertTransfers = async (requestId: string): Promise<Stripe.Transfer[]> => (await transfersOf(t, requestId)).filter((tr) => !tr.metadata?.purpose);
  const partnerAccountOf = async (partnerId: string): Promise<string> =>
    ((await t.ds.query(`SELECT stripe_account_id FROM partner_payout_accounts WHERE partner_id = $1`, [partnerId])) as Array<{ stripe_account_id: string }>)[0].stripe_account_id;

  async function releasedPartnerDeal(partner: TestPartner, amount = 10_000): Promise<PartnerDeal> {
    const deal = await fundedPartnerDeal(t, partner, { amount, expert });
    await resolve(t, deal).expect(200);
    await partnerReview(t, deal).expect(200);
    await waitForEscrow(t, deal.escrowId, { status: 'released', payout_status: 'paid' });
    return deal;
  }

  let waiting: PartnerDeal;

  it('M9 a partner customer’s request (20 %), funded, resolved and reviewed → platform_revenue = fee − share, partner_payable = share, in the release’s transaction; ledger ok', async () => {
    waiting = await releasedPartnerDeal(acme);
    // Fee 1500 of 10000; the partner's 20 % of it is 300, the platform keeps 1200.
    expect(await escrowRow(t, waiting.escrowId)).toMatchObject({ partner_id: acme.id, partner_share_bps: 2000, partner_payout_status: 'pending', partner_transfer_id: null });
    expect(await ledgerBalances(t, waiting.escrowId)).toEqual({ customer_funds: -10_000, escrow_held: 0, expert_payable: 0, platform_revenue: 1200, partner_payable: 300, paid_out: 8500 });
    const [release] = (await t.ds.query(
      `SELECT array_agg(e.account ORDER BY e.account) AS accounts FROM ledger_transactions x JOIN ledger_entries e ON e.txn_id = x.id WHERE x.reference = $1 GROUP BY x.id`,
      [`release:${waiting.escrowId}`],
    )) as Array<{ accounts: string[] }>;
    expect(release.accounts).toEqual(['escrow_held', 'expert_payable', 'partner_payable', 'platform_revenue']);
    // The partner has no account yet: its share waits, the expert is paid.
    expect((await expertTransfers(waiting.requestId)).map((tr) => tr.amount)).toEqual([8500]);
    expect(await partnerTransfers(waiting.requestId)).toEqual([]);
    const report = await ledgerReport(t, admin);
    expect(report).toMatchObject({ ok: true, violations: [] });
    expect(report.balances.usd.partner_payable).toBe(300);
  });

  it('M9 M3 the partner onboards (POST /v1/partner/payout-account, the link, account.updated) → exactly one Transfer of its share to its account, one to the expert', async () => {
    const missing = await t.http.get('/v1/partner/payout-account').set('x-api-key', acme.apiKey).expect(404);
    expect(missing.body.error.code).toBe('payout_account_missing');
    const created = await t.http.post('/v1/partner/payout-account').set('x-api-key', acme.apiKey).expect(201);
    expect(created.body).toEqual({ status: 'pending', onboardingUrl: expect.stringMatching(/^http/) });
    const again = await t.http.post('/v1/partner/payout-account').set('x-api-key', acme.apiKey).expect(200);
    expect((await t.http.get('/v1/partner/payout-account').set('x-api-key', acme.apiKey).expect(200)).body).toEqual({ status: 'pending', payoutsEnabled: false });
    expect(await partnerTransfers(waiting.requestId)).toEqual([]);

    await openOnboardingLink(again.body.onboardingUrl);
    await waitForEscrow(t, waiting.escrowId, { partner_payout_status: 'paid' });
    expect((await t.http.get('/v1/partner/payout-account').set('x-api-key', acme.apiKey).expect(200)).body).toEqual({ status: 'enabled', payoutsEnabled: true });
    const [share] = await partnerTransfers(waiting.requestId);
    const row = await escrowRow(t, waiting.escrowId);
    expect(share).toMatchObject({
      amount: 300,
      currency: 'usd',
      destination: await partnerAccountOf(acme.id),
      source_transaction: row.charge_id,
      transfer_group: waiting.requestId,
      metadata: { escrowId: waiting.escrowId, purpose: 'partner', partnerId: acme.id },
    });
    expect(row.partner_transfer_id).toBe(share.id);
    expect((await transfersOf(t, waiting.requestId)).map((tr) => tr.amount).sort((a, b) => a - b)).toEqual([300, 8500]);
    expect(await ledgerBalances(t, waiting.escrowId)).toEqual({ customer_funds: -10_000, escrow_held: 0, expert_payable: 0, platform_revenue: 1200, partner_payable: 0, paid_out: 8800 });
    expect(await ledgerTxnCount(t, waiting.requestId, 'partner_payout')).toBe(1);
    expect(await ledgerTxnCount(t, waiting.requestId, 'payout')).toBe(1);
    expect(await ledgerReport(t, admin)).toMatchObject({ ok: true, violations: [] });
  });

  it('M3 the partner payout run twice at once (and by its job) → one Transfer, transfer:partner:<escrowId> posted once', async () => {
    const deal = await fundedPartnerDeal(t, acme, { amount: 4000, expert });
    await resolve(t, deal).expect(200);
    // Released as a review does, without the fast path: the jobs and these calls race for the payout.
    await releaseDeal(t, deal, false);
    const payouts = t.app.get(PayoutService);
    const outcomes = await Promise.all([payouts.payPartnerShare(deal.escrowId), payouts.payPartnerShare(deal.escrowId), payouts.payEscrow(deal.escrowId)]);
    expect(outcomes.every((o) => o === 'paid' || o === 'nothing_to_pay')).toBe(true);
    await waitForEscrow(t, deal.escrowId, { partner_payout_status: 'paid', payout_status: 'paid' });
    // Fee 600 of 4000: the partner's 20 % is 120.
    expect((await partnerTransfers(deal.requestId)).map((tr) => tr.amount)).toEqual([120]);
    expect((await expertTransfers(deal.requestId)).map((tr) => tr.amount)).toEqual([3400]);
    const [posted] = (await t.ds.query(`SELECT count(*)::int AS n FROM ledger_transactions WHERE reference = $1`, [`transfer:partner:${deal.escrowId}`])) as Array<{ n: number }>;
    expect(posted.n).toBe(1);
    expect(await payouts.payPartnerShare(deal.escrowId)).toBe('nothing_to_pay');
    expect(await ledgerReport(t, admin)).toMatchObject({ ok: true, violations: [] });
  });

  it('F1 M3 a crash after Stripe made the partner’s Transfer, before our commit → the job’s retry finds it: one Transfer, one posting', async () => {
    const late = await createPartner(t, admin, { name: 'Late Onboarder', revenueShareBps: 2000 });
    const deal = await releasedPartnerDeal(late, 5000);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ partner_payout_status: 'pending' });
    // The next Transfer made — the partner's, once account.updated schedules its job — "crashes" before it is recorded.
    t.app.get(PaymentFaults).arm('after_transfer_create');
    await onboardPartner(t, late);
    await waitFor('the crashed attempt’s Transfer', async () => (await partnerTransfers(deal.requestId)).length === 1);
    await waitForEscrow(t, deal.escrowId, { partner_payout_status: 'paid' }, 30_000);
    // The crash did happen (the armed fault is spent), and was retried.
    expect(() => t.app.get(PaymentFaults).hit('after_transfer_create')).not.toThrow();
    const transfers = await partnerTransfers(deal.requestId);
    expect(transfers.map((tr) => tr.amount)).toEqual([150]);
    expect((await escrowRow(t, deal.escrowId)).partner_transfer_id).toBe(transfers[0].id);
    expect(await ledgerTxnCount(t, deal.requestId, 'partner_payout')).toBe(1);
    expect(await ledgerReport(t, admin)).toMatchObject({ ok: true, violations: [] });
  });

  it('M9 a split (admin resolves the dispute with refundAmount) → the share is of the fee actually kept', async () => {
    const deal = await fundedPartnerDeal(t, acme, { amount: 10_000, expert });
    const opened = await t.http
      .post(`/v1/requests/${deal.requestId}/dispute`)
      .set(actingAs(deal.partner, deal.customer))
      .send({ reason: 'Only half of it works.' })
      .expect(201);
    await t.http.post(`/v1/admin/disputes/${opened.body.id}/resolve`).set('authorization', admin.auth).send({ outcome: 'split', refundAmount: 4000 }).expect(200);
    await waitForEscrow(t, deal.escrowId, { status: 'partially_refunded', payout_status: 'paid', partner_payout_status: 'paid' });
    // 6000 released: fee 900, of which the partner's 20 % is 180; the expert gets 5100.
    expect((await partnerTransfers(deal.requestId)).map((tr) => tr.amount)).toEqual([180]);
    expect((await expertTransfers(deal.requestId)).map((tr) => tr.amount)).toEqual([5100]);
    expect(await ledgerBalances(t, deal.escrowId)).toEqual({ customer_funds: -10_000, escrow_held: 0, refunded: 4000, expert_payable: 0, platform_revenue: 720, partner_payable: 0, paid_out: 5280 });
    await waitFor('the refund at Stripe', async () => (await refundsOf(t, deal.paymentIntentId)).length === 1);
    expect(await ledgerReport(t, admin)).toMatchObject({ ok: true, violations: [] });
  });

  it('M9 a partner with a 0 % share → no partner line, no partner Transfer (even with an enabled account)', async () => {
    const free = await createPartner(t, admin, { name: 'No Share Portal' });
    await onboardPartner(t, free);
    const deal = await releasedPartnerDeal(free, 3000);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ partner_id: free.id, partner_share_bps: 0, partner_payout_status: 'none' });
    // No partner_payable line at all, not even a zero one.
    expect(await ledgerBalances(t, deal.escrowId)).toEqual({ customer_funds: -3000, escrow_held: 0, expert_payable: 0, platform_revenue: 450, paid_out: 2550 });
    expect(await transfersOf(t, deal.requestId)).toHaveLength(1);
    expect(await t.app.get(PayoutService).payPartnerShare(deal.escrowId)).toBe('nothing_to_pay');
  });

  it('M9 a customer who is no partner’s user → no partner column, no partner line, no partner Transfer', async () => {
    const deal = await fundedDeal(t, { expert, amount: 3000 });
    await resolve(t, deal).expect(200);
    await review(t, deal).expect(200);
    await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ partner_id: null, partner_share_bps: 0, partner_payout_status: 'none', partner_transfer_id: null });
    expect(await ledgerBalances(t, deal.escrowId)).toEqual({ customer_funds: -3000, escrow_held: 0, expert_payable: 0, platform_revenue: 450, paid_out: 2550 });
    expect(await transfersOf(t, deal.requestId)).toHaveLength(1);
  });

  it('M9 the share is fixed at funding: changing revenueShareBps afterwards changes only escrows funded later', async () => {
    const shifting = await createPartner(t, admin, { name: 'Shifting Share', revenueShareBps: 2000 });
    await onboardPartner(t, shifting);
    const before = await fundedPartnerDeal(t, shifting, { amount: 10_000, expert });
    await t.http.patch(`/v1/admin/partners/${shifting.id}`).set('authorization', admin.auth).send({ revenueShareBps: 5000 }).expect(200);
    const after = await fundedPartnerDeal(t, shifting, { amount: 10_000, expert });
    for (const deal of [before, after]) {
      await resolve(t, deal).expect(200);
      await partnerReview(t, deal).expect(200);
      await waitForEscrow(t, deal.escrowId, { partner_payout_status: 'paid' });
    }
    expect(await escrowRow(t, before.escrowId)).toMatchObject({ partner_share_bps: 2000 });
    expect((await partnerTransfers(before.requestId)).map((tr) => tr.amount)).toEqual([300]);
    expect(await escrowRow(t, after.escrowId)).toMatchObject({ partner_share_bps: 5000 });
    expect((await partnerTransfers(after.requestId)).map((tr) => tr.amount)).toEqual([750]);
  });

  it('M4 M9 reconciliation matches each Transfer by purpose: no partner Transfer is an unmatched or duplicate expert one; the ledger is ok', async () => {
    const { violations } = await t.app.get(ReconciliationService).run();
    expect(violations).toEqual([]);
    const report = await ledgerReport(t, admin);
    expect(report).toMatchObject({ ok: true, violations: [] });
    expect(report.balances.usd.partner_payable).toBe(0);
  });

  it('API3 API5 /v1/partner/payout-account: the partner’s key alone; no Stripe ids; users and unknown fields refused', async () => {
    const fresh = await createPartner(t, admin, { name: 'Fresh Portal' });
    const customer = await registerUser(t, 'customer');
    expect((await t.http.post('/v1/partner/payout-account').set('authorization', customer.auth).expect(403)).body.error.code).toBe('forbidden');
    expect((await t.http.get('/v1/partner/payout-account').set('authorization', expert.auth).expect(403)).body.error.code).toBe('forbidden');
    expect((await t.http.get('/v1/partner/payout-account').expect(401)).body.error.code).toBe('authentication_required');
    expect((await t.http.post('/v1/partner/payout-account').set('x-api-key', fresh.apiKey).send({ status: 'enabled' }).expect(400)).body.error.code).toBe('unknown_field');
    const url = await startPartnerOnboarding(t, fresh);
    const seen = await t.http.get('/v1/partner/payout-account').set('x-api-key', fresh.apiKey).expect(200);
    expect(JSON.stringify(seen.body)).not.toContain('acct_');
    // Another partner's account is its own: Acme's status does not leak into Fresh's, nor the other way.
    expect(seen.body).toEqual({ status: 'pending', payoutsEnabled: false });
    const account = await partnerAccountOf(fresh.id);
    expect(account).not.toBe(await partnerAccountOf(acme.id));
    await openOnboardingLink(url);
    await waitFor('fresh enabled', async () => (await t.http.get('/v1/partner/payout-account').set('x-api-key', fresh.apiKey)).body.status === 'enabled');
  });
});

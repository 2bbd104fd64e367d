import Stripe from 'stripe';
import { makeAdmin, registerUser, TestUser } from '../support/factories';
import { acceptedDeal, fundedDeal, onboard, pay, payAfterCommit, releaseDeal, startOnboarding } from '../support/deals';
import { escrowRow, eventTypes, ledgerReport, ledgerTxnCount, statusOf, waitForEscrow } from '../support/inspect';
import { openOnboardingLink, platformStripe } from '../support/stripe';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(90_000);

/** The money's path through the real routes, the official SDK and the Stripe sandbox. */
describe('payments: escrow flow', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());

  const getEscrow = (who: TestUser, requestId: string) => t.http.get(`/v1/requests/${requestId}/escrow`).set('authorization', who.auth);

  it('P1 accept → confirm with pm_card_visa and the client secret → webhook → held → release → Transfer → ledger ok', async () => {
    const deal = await acceptedDeal(t, { amount: 3000, onboarded: false, otherBidders: 1 });
    const accepted = (await getEscrow(deal.customer, deal.requestId)).body;
    expect(accepted).toMatchObject({
      status: 'requires_payment',
      amount: { amount: 3000, currency: 'usd' },
      platformFee: { amount: 450, currency: 'usd' },
      expertPayout: { amount: 2550, currency: 'usd' },
      refundedAmount: { amount: 0, currency: 'usd' },
      payoutStatus: 'none',
      paymentIntentId: deal.paymentIntentId,
      clientSecret: deal.clientSecret,
      fundedAt: null,
    });
    const pi = await platformStripe(t).paymentIntents.retrieve(deal.paymentIntentId);
    expect(pi).toMatchObject({ amount: 3000, currency: 'usd', transfer_group: deal.requestId, status: 'requires_payment_method' });
    expect(pi.metadata).toEqual({ requestId: deal.requestId, escrowId: deal.escrowId, bidId: deal.bidId });

    await pay(t, deal.paymentIntentId, deal.clientSecret);
    const held = await waitForEscrow(t, deal.escrowId, { status: 'held' });
    expect(held.charge_id).toMatch(/^ch_/);
    expect(held.funded_at).not.toBeNull();
    expect(await statusOf(t, deal.requestId)).toBe('in_progress');
    const bids = (await t.ds.query(`SELECT id, status FROM bids WHERE request_id = $1`, [deal.requestId])) as Array<{ id: string; status: string }>;
    expect(Object.fromEntries(bids.map((b) => [b.id, b.status]))).toEqual({ [deal.bidId]: 'accepted', [deal.otherBidIds[0]]: 'rejected' });
    expect((await eventTypes(t, deal.requestId, 'escrow.funded')).length).toBe(1);
    expect((await eventTypes(t, deal.requestId, 'bid.rejected')).length).toBe(1);
    expect(await ledgerTxnCount(t, deal.requestId, 'funding')).toBe(1);
    const funded = (await getEscrow(deal.customer, deal.requestId)).body;
    expect(funded).toMatchObject({ status: 'held', clientSecret: null });
    expect(funded.fundedAt).not.toBeNull();
    expect((await ledgerReport(t, admin)).balances.usd.escrow_held).toBe(3000);

    await onboard(t, deal.expert);
    await releaseDeal(t, deal);
    const paid = await escrowRow(t, deal.escrowId);
    expect(paid).toMatchObject({ status: 'released', payout_status: 'paid' });
    const transfers = (await platformStripe(t).transfers.list({ transfer_group: deal.requestId })).data;
    expect(transfers).toHaveLength(1);
    expect(transfers[0]).toMatchObject({ id: paid.transfer_id, amount: 2550, currency: 'usd', source_transaction: held.charge_id });
    expect(transfers[0].metadata).toMatchObject({ escrowId: deal.escrowId, requestId: deal.requestId });
    expect((await eventTypes(t, deal.requestId, 'escrow.released')).length).toBe(1);

    const report = await ledgerReport(t, admin);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.balances.usd).toEqual({
      escrow_held: 0,
      platform_revenue: 450,
      expert_payable: 0,
      partner_payable: 0,
      paid_out: 2550,
      refunded: 0,
      chargeback_loss: 0,
      expert_receivable: 0,
      partner_receivable: 0,
      unclaimed_refunds: 0,
      warranty_held: 0,
    });
  });

  it('a decline (pm_card_chargeDeclined) → card_error at the SDK, escrow.payment_failed, escrow still requires_payment; a second card then funds it', async () => {
    const deal = await acceptedDeal(t, { amount: 1200, onboarded: false, otherBidders: 1 });
    const declined = await pay(t, deal.paymentIntentId, deal.clientSecret, 'pm_card_chargeDeclined').catch((err: unknown) => err);
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(declined).toMatchObject({ type: 'StripeCardError', decline_code: 'generic_decline' });
    await waitFor('escrow.payment_failed', async () => (await eventTypes(t, deal.requestId, 'escrow.payment_failed')).length === 1);
    const [event] = await t.ds.query(`SELECT payload, expert_id FROM events WHERE request_id = $1 AND type = 'escrow.payment_failed'`, [deal.requestId]);
    expect(event.expert_id).toBeNull(); // the customer's card trouble is not shown to the expert
    expect(event.payload).toMatchObject({ status: 'requires_payment', clientSecret: null, paymentError: { code: 'card_declined', declineCode: 'generic_decline' } });
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'requires_payment', charge_id: null });
    expect(await statusOf(t, deal.requestId)).toBe('awaiting_payment');
    expect((await getEscrow(deal.customer, deal.requestId)).body.clientSecret).toBe(deal.clientSecret);

    await pay(t, deal.paymentIntentId, deal.clientSecret, 'pm_card_visa');
    await waitForEscrow(t, deal.escrowId, { status: 'held' });
    expect(await statusOf(t, deal.requestId)).toBe('in_progress');
  });

  it('A2 a customer who is not a party, or another expert → 404 on the escrow route; experts and admins never see clientSecret', async () => {
    const deal = await acceptedDeal(t, { amount: 900, onboarded: false, otherBidders: 1 });
    const stranger = await registerUser(t, 'customer');
    const otherExpert = await registerUser(t, 'expert');
    for (const who of [stranger, otherExpert]) {
      const res = await getEscrow(who, deal.requestId);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ type: 'not_found', code: 'not_found' });
      expect(JSON.stringify(res.body)).not.toContain(deal.paymentIntentId);
    }
    expect((await getEscrow(stranger, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await getEscrow(stranger, 'not-a-uuid')).status).toBe(404);
    expect((await t.http.get(`/v1/requests/${deal.requestId}/escrow`)).status).toBe(401);

    const asExpert = await getEscrow(deal.expert, deal.requestId);
    expect(asExpert.status).toBe(200);
    expect(asExpert.body).toMatchObject({ status: 'requires_payment', clientSecret: null });
    const asAdmin = await getEscrow(admin, deal.requestId);
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.clientSecret).toBeNull();
    // No event a partner or the expert can read carries the secret either.
    const payloads = (await t.ds.query(`SELECT payload::text AS p FROM events WHERE request_id = $1`, [deal.requestId])) as Array<{ p: string }>;
    for (const { p } of payloads) expect(p).not.toContain(deal.clientSecret);
  });

  it("API3 the awarded expert never sees the customer's paymentIntentId; the owner and admins do", async () => {
    const deal = await fundedDeal(t, { amount: 1100, onboarded: false, otherBidders: 0 });
    const asExpert = await getEscrow(deal.expert, deal.requestId).expect(200);
    expect(asExpert.body).toMatchObject({ status: 'held', paymentIntentId: null, clientSecret: null });
    expect(JSON.stringify(asExpert.body)).not.toContain(deal.paymentIntentId);
    expect((await getEscrow(deal.customer, deal.requestId).expect(200)).body.paymentIntentId).toBe(deal.paymentIntentId);
    expect((await getEscrow(admin, deal.requestId).expect(200)).body.paymentIntentId).toBe(deal.paymentIntentId);
  });

  it('an expert without a payout account: released, payoutStatus pending; onboarding (account.updated) pays it', async () => {
    const deal = await fundedDeal(t, { amount: 2000, onboarded: false, otherBidders: 1 });
    await releaseDeal(t, deal);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'released', payout_status: 'pending', transfer_id: null });
    expect((await getEscrow(deal.expert, deal.requestId)).body).toMatchObject({ status: 'released', payoutStatus: 'pending' });

    const link = await startOnboarding(t, deal.expert);
    await payAfterCommit(t, deal.escrowId);
    expect(await escrowRow(t, deal.escrowId)).toMatchObject({ payout_status: 'pending' });
    await openOnboardingLink(link);
    const paid = await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
    const transfers = (await platformStripe(t).transfers.list({ transfer_group: deal.requestId })).data;
    expect(transfers.map((tr) => [tr.id, tr.amount])).toEqual([[paid.transfer_id, 1700]]);
    expect((await ledgerReport(t, admin)).violations).toEqual([]);
  });
});

import { acceptBid, createProfile, makeAdmin, placeBid, postRequest, registerUser, TestUser } from '../support/factories';
import { fundedDeal, onboard, pay, resolve, review, startOnboarding } from '../support/deals';
import { eventTypes, ledgerReport, statusOf, transfersOf, waitForEscrow } from '../support/inspect';
import { openOnboardingLink } from '../support/stripe';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

/** Money from the customer's card to the expert's connected account, through the sandbox. */
describe('payout flow', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());

  const escrowAs = (user: TestUser, requestId: string) => t.http.get(`/v1/requests/${requestId}/escrow`).set('authorization', user.auth).expect(200);

  it('the whole happy path: onboard → accept → pay (pm_card_visa, client secret) → webhook funds → resolve → review → Transfer → ledger ok', async () => {
    const customer = await registerUser(t, 'customer');
    const expert = await registerUser(t, 'expert');
    await createProfile(t, expert, ['windows']);

    // Onboarding: the account link's url completes it in the sandbox and account.updated comes back.
    const url = await startOnboarding(t, expert);
    await openOnboardingLink(url);
    await waitFor('payouts enabled', async () => {
      const res = await t.http.get('/v1/experts/me/payout-account').set('authorization', expert.auth);
      return res.body.status === 'enabled' && res.body.payoutsEnabled === true;
    });

    const request = await postRequest(t, customer, { maxBudget: { amount: 10_000, currency: 'usd' } });
    const bid = await placeBid(t, expert, request.id, { amount: { amount: 7500, currency: 'usd' } });
    const accepted = await acceptBid(t, customer, bid.id);
    const escrow = accepted.escrow;
    expect(escrow.status).toBe('requires_payment');
    const pi = await pay(t, escrow.paymentIntentId, escrow.clientSecret);
    expect(pi.status).toBe('succeeded');
    await waitFor('funded', async () => (await statusOf(t, request.id)) === 'in_progress');
    expect((await ledgerReport(t, admin)).ok).toBe(true);

    await resolve(t, { expert, requestId: request.id }).expect(200);
    expect((await ledgerReport(t, admin)).ok).toBe(true);
    await review(t, { customer, requestId: request.id }, { rating: 5, resolved: true }).expect(200);
    await waitForEscrow(t, escrow.id, { payout_status: 'paid' });

    const seen = (await escrowAs(expert, request.id)).body;
    expect(seen).toMatchObject({ status: 'released', payoutStatus: 'paid', platformFee: { amount: 1125 }, expertPayout: { amount: 6375 }, clientSecret: null });
    const [transfer] = await transfersOf(t, request.id);
    expect(transfer).toMatchObject({ amount: 6375, currency: 'usd', transfer_group: request.id });
    const ledger = await ledgerReport(t, admin);
    expect(ledger).toMatchObject({ ok: true, violations: [] });
    expect(await eventTypes(t, request.id)).toEqual(
      expect.arrayContaining(['bid.accepted', 'escrow.funded', 'request.resolved', 'review.created', 'escrow.released']),
    );
  });

  it('an expert without enabled payouts: released → payoutStatus pending, no Transfer; onboarding completes → account.updated → paid', async () => {
    const deal = await fundedDeal(t, { onboarded: false, amount: 2000 });
    await resolve(t, deal).expect(200);
    await review(t, deal).expect(200);
    await waitForEscrow(t, deal.escrowId, { payout_status: 'pending' });
    expect((await escrowAs(deal.customer, deal.requestId)).body.payoutStatus).toBe('pending');
    expect(await transfersOf(t, deal.requestId)).toHaveLength(0);
    expect((await ledgerReport(t, admin)).ok).toBe(true);

    // Creating the account is not enough: it still cannot take transfers.
    const url = await startOnboarding(t, deal.expert);
    expect((await t.http.get('/v1/experts/me/payout-account').set('authorization', deal.expert.auth).expect(200)).body).toEqual({ status: 'pending', payoutsEnabled: false });
    await openOnboardingLink(url);
    const escrow = await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
    expect(escrow.payout_status).toBe('paid');
    expect((await transfersOf(t, deal.requestId)).map((tr) => tr.amount)).toEqual([1700]);
    // The request waiting for the payout heard about the account.
    const [event] = await t.ds.query(`SELECT expert_id, payload FROM events WHERE request_id = $1 AND type = 'payout.account_updated'`, [deal.requestId]);
    expect(event).toEqual({ expert_id: deal.expert.id, payload: { status: 'enabled', payoutsEnabled: true } });
    expect(await eventTypes(t, deal.requestId)).toContain('payout.account_updated');
    expect((await ledgerReport(t, admin)).ok).toBe(true);
  });

  it('account.updated for an expert with nothing waiting records no event (events belong to requests)', async () => {
    const expert = await registerUser(t, 'expert');
    const before = (await t.ds.query(`SELECT count(*)::int AS n FROM events WHERE type = 'payout.account_updated'`))[0].n;
    await onboard(t, expert);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM events WHERE type = 'payout.account_updated'`))[0].n).toBe(before);
  });
});

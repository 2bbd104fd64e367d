import { randomBytes } from 'node:crypto';
import { onboard, pay } from './deals';
import { AcceptedEscrow, createProfile, placeBid, registerUser, TestUser, validRequest } from './factories';
import { payoutStatusOf, waitForEscrow } from './inspect';
import { openOnboardingLink } from './stripe';
import { TestApp } from './test-app';
import { waitFor } from './wait';

/** A partner made by an admin through the route, with its first key. */
export interface TestPartner {
  id: string;
  apiKey: string;
}

export interface PartnerUser {
  id: string;
  email: string;
  role: 'customer' | 'expert';
}

export async function createPartner(t: TestApp, admin: TestUser, body: Record<string, unknown> = {}): Promise<TestPartner> {
  const res = await t.http.post('/v1/admin/partners').set('authorization', admin.auth).send({ name: 'Acme Help Desk', ...body });
  if (res.status !== 201) throw new Error(`createPartner: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.partner.id, apiKey: res.body.apiKey };
}

/** POST /v1/partner/users with the partner's key. */
export async function createPartnerUser(t: TestApp, partner: TestPartner, role: 'customer' | 'expert', body: Record<string, unknown> = {}): Promise<PartnerUser> {
  const email = `${role}-${randomBytes(5).toString('hex')}@partner.example`;
  const res = await t.http.post('/v1/partner/users').set('x-api-key', partner.apiKey).send({ email, displayName: `Partner ${role}`, role, ...body });
  if (res.status !== 201 && res.status !== 200) throw new Error(`createPartnerUser: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, email: res.body.email, role };
}

/** Headers for a call a partner makes as one of its users. */
export const actingAs = (partner: TestPartner, user: { id: string }) => ({ 'x-api-key': partner.apiKey, 'x-on-behalf-of': user.id });

/** POST /v1/partner/payout-account with the partner's key; returns the onboarding link (opening it completes onboarding in the sandbox). */
export async function startPartnerOnboarding(t: TestApp, partner: TestPartner): Promise<string> {
  const res = await t.http.post('/v1/partner/payout-account').set('x-api-key', partner.apiKey);
  if (res.status !== 201 && res.status !== 200) throw new Error(`partner payout-account: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.onboardingUrl as string;
}

/** Start the partner's onboarding, open the link, wait for account.updated to enable its account. */
export async function onboardPartner(t: TestApp, partner: TestPartner): Promise<void> {
  await openOnboardingLink(await startPartnerOnboarding(t, partner));
  await waitFor('partner payout account enabled', async () => {
    const [row] = (await t.ds.query(`SELECT status FROM partner_payout_accounts WHERE partner_id = $1`, [partner.id])) as Array<{ status: string }>;
    return row?.status === 'enabled';
  });
}

/** A deal whose customer is one of `partner`'s users, driven through the partner's key (X-On-Behalf-Of). */
export interface PartnerDeal {
  partner: TestPartner;
  customer: PartnerUser;
  expert: TestUser;
  requestId: string;
  bidId: string;
  escrowId: string;
  paymentIntentId: string;
  clientSecret: string;
  amount: number;
}

/**
 * A partner's customer posts a request (through the partner's key), an onboarded expert bids, the
 * partner accepts for its customer, the customer's browser pays, and the webhook funds it (held).
 */
export async function fundedPartnerDeal(t: TestApp, partner: TestPartner, options: { amount?: number; expert?: TestUser } = {}): Promise<PartnerDeal> {
  const amount = options.amount ?? 10_000;
  const customer = await createPartnerUser(t, partner, 'customer');
  const expert = options.expert ?? (await registerUser(t, 'expert'));
  if (!options.expert) await createProfile(t, expert);
  if ((await payoutStatusOf(t, expert.id)) !== 'enabled') await onboard(t, expert);
  const posted = await t.http.post('/v1/requests').set(actingAs(partner, customer)).send(validRequest({ maxBudget: { amount: Math.max(amount, 5000), currency: 'usd' } }));
  if (posted.status !== 201) throw new Error(`partner postRequest: ${posted.status} ${JSON.stringify(posted.body)}`);
  const bid = await placeBid(t, expert, posted.body.id, { amount: { amount, currency: 'usd' } });
  const accepted = await t.http.post(`/v1/bids/${bid.id}/accept`).set(actingAs(partner, customer));
  if (accepted.status !== 200) throw new Error(`partner acceptBid: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  const escrow = accepted.body.escrow as AcceptedEscrow;
  await pay(t, escrow.paymentIntentId, escrow.clientSecret);
  await waitForEscrow(t, escrow.id, { status: 'held' });
  return { partner, customer, expert, requestId: posted.body.id, bidId: bid.id, escrowId: escrow.id, paymentIntentId: escrow.paymentIntentId, clientSecret: escrow.clientSecret, amount };
}

/** POST /v1/requests/:id/review as the partner's customer (resolved=true releases the money). */
export function partnerReview(t: TestApp, deal: PartnerDeal, body: Record<string, unknown> = { rating: 5, resolved: true }) {
  return t.http.post(`/v1/requests/${deal.requestId}/review`).set(actingAs(deal.partner, deal.customer)).send(body);
}

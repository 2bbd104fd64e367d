import Stripe from 'stripe';
import { TIMER_JOBS } from '../../src/requests/request-lifecycle.service';
import { acceptBid, createProfile, placeBid, postRequest, registerUser, TestUser } from '../support/factories';
import { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
export { waitFor };
import { platformStripe } from '../payments/payments-support';
export { platformStripe };

/**
 * The money path of a request through the real routes and the Stripe sandbox, for the reviews,
 * disputes and payouts specs: onboard an expert, accept, pay with the official SDK, resolve.
 */


/** POST the payout account, open its link (completes onboarding), wait for account.updated to land. */
export async function onboard(t: TestApp, expert: TestUser): Promise<void> {
  const link = await startOnboarding(t, expert);
  await openLink(link);
  await waitFor('payout account enabled', async () => (await payoutStatusOf(t, expert.id)) === 'enabled');
}

export async function startOnboarding(t: TestApp, expert: TestUser): Promise<string> {
  const res = await t.http.post('/v1/experts/me/payout-account').set('authorization', expert.auth);
  if (res.status !== 201 && res.status !== 200) throw new Error(`payout-account: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.onboardingUrl as string;
}

export async function openLink(url: string): Promise<void> {
  const page = await fetch(url);
  if (page.status !== 200) throw new Error(`onboarding page answered ${page.status}`);
  await page.text();
}

export async function payoutStatusOf(t: TestApp, expertId: string): Promise<string | undefined> {
  const [row] = (await t.ds.query(`SELECT status FROM payout_accounts WHERE user_id = $1`, [expertId])) as Array<{ status: string }>;
  return row?.status;
}

export interface Deal {
  customer: TestUser;
  expert: TestUser;
  requestId: string;
  bidId: string;
  escrowId: string;
  paymentIntentId: string;
  amount: number;
}

export interface DealOptions {
  amount?: number;
  customer?: TestUser;
  expert?: TestUser;
  /** Onboard the expert's payout account first (default true). */
  onboarded?: boolean;
  /** Experts who bid too (and lose): they may read the request afterwards. */
  otherBidders?: TestUser[];
}

/** An accepted bid whose escrow is still requires_payment (clientSecret returned to the owner). */
export async function acceptedDeal(t: TestApp, options: DealOptions = {}): Promise<Deal & { clientSecret: string }> {
  const amount = options.amount ?? 3000;
  const customer = options.customer ?? (await registerUser(t, 'customer'));
  const expert = options.expert ?? (await registerUser(t, 'expert'));
  if (!options.expert) await createProfile(t, expert);
  if (options.onboarded ?? true) {
    if ((await payoutStatusOf(t, expert.id)) !== 'enabled') await onboard(t, expert);
  }
  const request = await postRequest(t, customer, { maxBudget: { amount: Math.max(amount, 5000), currency: 'usd' } });
  for (const other of options.otherBidders ?? []) await placeBid(t, other, request.id, { amount: { amount, currency: 'usd' } });
  const bid = await placeBid(t, expert, request.id, { amount: { amount, currency: 'usd' } });
  const accepted = await acceptBid(t, customer, bid.id);
  const escrow = (accepted.escrow ?? (await t.http.get(`/v1/requests/${request.id}/escrow`).set('authorization', customer.auth)).body) as {
    id: string;
    clientSecret: string;
    paymentIntentId: string;
  };
  return { customer, expert, requestId: request.id, bidId: bid.id, escrowId: escrow.id, paymentIntentId: escrow.paymentIntentId, clientSecret: escrow.clientSecret, amount };
}

/** The customer's browser confirms with the client secret (official SDK, publishable key). */
export async function pay(t: TestApp, paymentIntentId: string, clientSecret: string, paymentMethod = 'pm_card_visa'): Promise<Stripe.PaymentIntent> {
  return t.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: paymentMethod, client_secret: clientSecret } as Stripe.PaymentIntentConfirmParams);
}

/** Accepted, paid with pm_card_visa, and funded by the payment_intent.succeeded webhook (in_progress). */
export async function fundedDeal(t: TestApp, options: DealOptions = {}): Promise<Deal> {
  const deal = await acceptedDeal(t, options);
  await pay(t, deal.paymentIntentId, deal.clientSecret);
  await waitFor('escrow funded by the webhook', async () => (await statusOf(t, deal.requestId)) === 'in_progress');
  return deal;
}

/** Funded, then resolved by the awarded expert (review window open). */
export async function resolvedDeal(t: TestApp, options: DealOptions = {}): Promise<Deal> {
  const deal = await fundedDeal(t, options);
  await resolve(t, deal).expect(200);
  return deal;
}

export function resolve(t: TestApp, deal: Pick<Deal, 'expert' | 'requestId'>, note = 'Rebuilt the boot record; it starts again.') {
  return t.http.post(`/v1/requests/${deal.requestId}/resolve`).set('authorization', deal.expert.auth).send({ resolutionNote: note });
}

export function review(t: TestApp, deal: Pick<Deal, 'customer' | 'requestId'>, body: Record<string, unknown> = { rating: 5, resolved: true }) {
  return t.http.post(`/v1/requests/${deal.requestId}/review`).set('authorization', deal.customer.auth).send(body);
}

/** Moves the review window's end into the past; `pullJob` also makes the auto-release job due now. */
export async function makeReviewDue(t: TestApp, requestId: string, pullJob = true): Promise<void> {
  await t.ds.query(`UPDATE help_requests SET review_due_at = now() - interval '1 second' WHERE id = $1`, [requestId]);
  if (pullJob) await t.ds.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND data->>'requestId' = $2`, [TIMER_JOBS.auto_release, requestId]);
}

export async function statusOf(t: TestApp, requestId: string): Promise<string> {
  const [row] = (await t.ds.query(`SELECT status FROM help_requests WHERE id = $1`, [requestId])) as Array<{ status: string }>;
  return row.status;
}

export async function escrowOf(t: TestApp, requestId: string): Promise<Record<string, unknown>> {
  const [row] = (await t.ds.query(`SELECT * FROM escrows WHERE request_id = $1 ORDER BY created_at DESC LIMIT 1`, [requestId])) as Array<Record<string, unknown>>;
  return row;
}

/** Every Transfer the sandbox made for this request (transfer_group = request id). */
export async function transfersOf(t: TestApp, requestId: string): Promise<Stripe.Transfer[]> {
  return (await platformStripe(t).transfers.list({ transfer_group: requestId, limit: 100 })).data;
}

export async function refundsOf(t: TestApp, paymentIntentId: string): Promise<Stripe.Refund[]> {
  return (await platformStripe(t).refunds.list({ payment_intent: paymentIntentId, limit: 100 })).data;
}

/** Ledger transactions of one kind for a request (e.g. exactly one 'release'). */
export async function ledgerTxns(t: TestApp, requestId: string, kind: string): Promise<number> {
  const [row] = (await t.ds.query(`SELECT count(*)::int AS n FROM ledger_transactions WHERE request_id = $1 AND kind = $2`, [requestId, kind])) as Array<{ n: number }>;
  return row.n;
}

export async function ledgerReport(t: TestApp, admin: TestUser): Promise<{ ok: boolean; violations: unknown[] } & Record<string, unknown>> {
  const res = await t.http.get('/v1/admin/ledger').set('authorization', admin.auth);
  if (res.status !== 200) throw new Error(`ledger: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Waits until the payout of the request's escrow is paid (the Transfer recorded). */
export async function waitForPayout(t: TestApp, requestId: string): Promise<Record<string, unknown>> {
  return waitFor('payout paid', async () => {
    const escrow = await escrowOf(t, requestId);
    return escrow?.payout_status === 'paid' ? escrow : undefined;
  });
}

export async function eventTypes(t: TestApp, requestId: string): Promise<string[]> {
  const rows = (await t.ds.query(`SELECT type FROM events WHERE request_id = $1 ORDER BY sequence`, [requestId])) as Array<{ type: string }>;
  return rows.map((r) => r.type);
}

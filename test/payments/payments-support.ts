import Stripe from 'stripe';
import { withTransaction } from '../../src/database/transaction';
import { EscrowService } from '../../src/payments/escrow.service';
import { PayoutService } from '../../src/payments/payout.service';
import { acceptBid, createProfile, makeAdmin, placeBid, postRequest, registerUser, TestUser } from '../support/factories';
import { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
export { waitFor };

/**
 * The payments specs' building blocks, all through the real routes, the real SDK and the
 * sandbox: make a deal, pay it with the client secret, wait for the webhook, release it.
 */


/** The platform's own view of the sandbox (secret key): what really exists at "Stripe". */
export function platformStripe(t: TestApp): Stripe {
  return new Stripe('sk_test_sandbox', { host: '127.0.0.1', port: t.sandbox.port, protocol: 'http', telemetry: false, maxNetworkRetries: 0 });
}

export interface Deal {
  customer: TestUser;
  expert: TestUser;
  requestId: string;
  bidId: string;
  otherBidId: string;
  escrowId: string;
  paymentIntentId: string;
  clientSecret: string;
  amount: number;
}

/** A request with two bids, one accepted: its escrow requires_payment, the owner holds the client secret. */
export async function acceptedDeal(t: TestApp, amount = 3000): Promise<Deal> {
  const customer = await registerUser(t, 'customer');
  const expert = await registerUser(t, 'expert');
  const other = await registerUser(t, 'expert');
  await createProfile(t, expert);
  const request = await postRequest(t, customer, { maxBudget: { amount: Math.max(amount, 5000), currency: 'usd' } });
  const bid = await placeBid(t, expert, request.id, { amount: { amount, currency: 'usd' } });
  const otherBid = await placeBid(t, other, request.id, { amount: { amount, currency: 'usd' } });
  const accepted = await acceptBid(t, customer, bid.id);
  const escrow = accepted.escrow as { id: string; paymentIntentId: string; clientSecret: string };
  return { customer, expert, requestId: request.id, bidId: bid.id, otherBidId: otherBid.id, escrowId: escrow.id, paymentIntentId: escrow.paymentIntentId, clientSecret: escrow.clientSecret, amount };
}

/** The customer's browser confirms with the client secret (official SDK, publishable key). */
export function pay(t: TestApp, deal: Pick<Deal, 'paymentIntentId' | 'clientSecret'>, paymentMethod = 'pm_card_visa'): Promise<Stripe.PaymentIntent> {
  return t.stripe.paymentIntents.confirm(deal.paymentIntentId, { payment_method: paymentMethod, client_secret: deal.clientSecret } as Stripe.PaymentIntentConfirmParams);
}

export async function escrowRow(t: TestApp, escrowId: string): Promise<Record<string, unknown>> {
  const [row] = (await t.ds.query(`SELECT * FROM escrows WHERE id = $1`, [escrowId])) as Array<Record<string, unknown>>;
  return row;
}

export async function requestStatus(t: TestApp, requestId: string): Promise<string> {
  const [row] = (await t.ds.query(`SELECT status FROM help_requests WHERE id = $1`, [requestId])) as Array<{ status: string }>;
  return row.status;
}

export async function waitForEscrow(t: TestApp, escrowId: string, status: string, timeoutMs?: number): Promise<Record<string, unknown>> {
  return waitFor(`escrow ${status}`, async () => {
    const row = await escrowRow(t, escrowId);
    return row.status === status ? row : undefined;
  }, timeoutMs);
}

/** Accepted, paid with pm_card_visa, and funded by the payment_intent.succeeded webhook. */
export async function fundedDeal(t: TestApp, amount = 3000): Promise<Deal> {
  const deal = await acceptedDeal(t, amount);
  await pay(t, deal);
  await waitForEscrow(t, deal.escrowId, 'held');
  return deal;
}

/** POST the payout account through the payouts feature and open its link: onboarding completes, account.updated lands. */
export async function onboard(t: TestApp, expert: TestUser, complete = true): Promise<string> {
  const res = await t.http.post('/v1/experts/me/payout-account').set('authorization', expert.auth);
  if (res.status !== 201 && res.status !== 200) throw new Error(`payout-account: ${res.status} ${JSON.stringify(res.body)}`);
  const url = res.body.onboardingUrl as string;
  if (complete) {
    await openOnboardingLink(url);
    await waitFor('payout account enabled', async () => {
      const [row] = (await t.ds.query(`SELECT status FROM payout_accounts WHERE user_id = $1`, [expert.id])) as Array<{ status: string }>;
      return row?.status === 'enabled';
    });
  }
  return url;
}

export async function openOnboardingLink(url: string): Promise<void> {
  const page = await fetch(url);
  if (page.status !== 200) throw new Error(`onboarding page answered ${page.status}`);
  await page.text();
}

/** What the reviews feature does on a positive review: release in a transaction (request locked first), pay after commit. */
export async function releaseDeal(t: TestApp, deal: Pick<Deal, 'requestId' | 'escrowId'>, payNow = true): Promise<void> {
  await withTransaction(t.ds, async (em) => {
    await em.query(`SELECT 1 FROM help_requests WHERE id = $1 FOR UPDATE`, [deal.requestId]);
    await t.app.get(EscrowService).releaseInTransaction(em, deal.escrowId, { reason: 'review' });
  });
  if (payNow) await t.app.get(PayoutService).payAfterCommit(deal.escrowId);
}

export interface LedgerBody {
  balances: Record<string, Record<string, number>>;
  ok: boolean;
  violations: Array<{ code: string; message: string }>;
}

export async function ledger(t: TestApp, admin?: TestUser): Promise<LedgerBody> {
  const who = admin ?? (await makeAdmin(t));
  const res = await t.http.get('/v1/admin/ledger').set('authorization', who.auth);
  if (res.status !== 200) throw new Error(`ledger: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as LedgerBody;
}

/** Ledger transactions of one kind for an escrow. */
export async function ledgerTxnCount(t: TestApp, escrowId: string, kind: string): Promise<number> {
  const [row] = (await t.ds.query(`SELECT count(*)::int AS n FROM ledger_transactions WHERE escrow_id = $1 AND kind = $2`, [escrowId, kind])) as Array<{ n: number }>;
  return row.n;
}

export async function eventCount(t: TestApp, requestId: string, type: string): Promise<number> {
  const [row] = (await t.ds.query(`SELECT count(*)::int AS n FROM events WHERE request_id = $1 AND type = $2`, [requestId, type])) as Array<{ n: number }>;
  return row.n;
}

/** The sandbox's events about one PaymentIntent (and its charge), oldest first. */
export async function stripeEventsFor(t: TestApp, types: string[]): Promise<Stripe.Event[]> {
  const events = await platformStripe(t).events.list({ limit: 100 });
  return events.data.filter((e) => types.includes(e.type)).reverse();
}

/** Every escrow in the database, in a comparable form (for "same final state" checks). */
export async function moneyState(t: TestApp, escrowId: string): Promise<Record<string, unknown>> {
  const escrow = await escrowRow(t, escrowId);
  const request = (await t.ds.query(`SELECT status, funded_at IS NOT NULL AS funded FROM help_requests WHERE id = $1`, [escrow.request_id]))[0];
  const entries = (await t.ds.query(
    `SELECT kind, account, amount::int AS amount FROM ledger_entries WHERE escrow_id = $1 ORDER BY kind, account`,
    [escrowId],
  )) as unknown[];
  const bids = (await t.ds.query(`SELECT status FROM bids WHERE request_id = $1 ORDER BY status`, [escrow.request_id])) as unknown[];
  return {
    escrow: { status: escrow.status, payout: escrow.payout_status, refunded: escrow.refunded_amount, frozen: escrow.frozen, charged: Boolean(escrow.charge_id) },
    request,
    entries,
    bids,
  };
}

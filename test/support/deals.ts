import Stripe from 'stripe';
import { EntityManager } from 'typeorm';
import { withTransaction } from '../../src/database/transaction';
import { EscrowService } from '../../src/payments/escrow.service';
import { PayoutService } from '../../src/payments/payout.service';
import { ReconciliationService } from '../../src/payments/reconciliation.service';
import { RequestLifecycle, TIMER_JOBS } from '../../src/requests/request-lifecycle.service';
import { acceptBid, createProfile, placeBid, postRequest, registerUser, TestUser } from './factories';
import { payoutStatusOf, waitForEscrow } from './inspect';
import { openOnboardingLink } from './stripe';
import { TestApp } from './test-app';
import { waitFor } from './wait';

/**
 * The one way to bring a deal to each state, through the real routes, the official SDK and the
 * sandbox: accepted → funded → resolved, and released. The few steps the app takes by itself
 * (timers, the release a review triggers) call its services here, each in one place.
 */

export interface Deal {
  customer: TestUser;
  expert: TestUser;
  requestId: string;
  bidId: string;
  /** The losing bids (`otherBidders`), in the order they were placed. */
  otherBidIds: string[];
  escrowId: string;
  paymentIntentId: string;
  clientSecret: string;
  amount: number;
}

export interface DealOptions {
  /** The accepted bid, in cents (default 3000). */
  amount?: number;
  customer?: TestUser;
  /** An expert with a profile already; by default a new one gets a profile. */
  expert?: TestUser;
  /** Onboard the expert's payout account before the accept (default true), so a release pays at once. */
  onboarded?: boolean;
  /** Experts who bid too and lose: these users, or that many new experts. */
  otherBidders?: TestUser[] | number;
  /** The winning bid's fix warranty in days (default 0: none). */
  warrantyDays?: number;
  /** Fields of the posted request (title, description, category, language...). */
  request?: Record<string, unknown>;
  /** resolvedDeal: the private resolution note (default: a plain one). */
  resolutionNote?: string;
  /** resolvedDeal: the expert's public summary sent with the resolution (default none). */
  solutionSummary?: string;
}

/** POST the payout account; returns the onboarding link (opening it completes onboarding in the sandbox). */
export async function startOnboarding(t: TestApp, expert: TestUser): Promise<string> {
  const res = await t.http.post('/v1/experts/me/payout-account').set('authorization', expert.auth);
  if (res.status !== 201 && res.status !== 200) throw new Error(`payout-account: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.onboardingUrl as string;
}

/** Start onboarding, open the link, wait for account.updated to enable the account. */
export async function onboard(t: TestApp, expert: TestUser): Promise<void> {
  await openOnboardingLink(await startOnboarding(t, expert));
  await waitFor('payout account enabled', async () => (await payoutStatusOf(t, expert.id)) === 'enabled');
}

/** A request with the expert's bid accepted: its escrow requires_payment, the customer holds the client secret. */
export async function acceptedDeal(t: TestApp, options: DealOptions = {}): Promise<Deal> {
  const amount = options.amount ?? 3000;
  const customer = options.customer ?? (await registerUser(t, 'customer'));
  const expert = options.expert ?? (await registerUser(t, 'expert'));
  if (!options.expert) await createProfile(t, expert);
  if ((options.onboarded ?? true) && (await payoutStatusOf(t, expert.id)) !== 'enabled') await onboard(t, expert);
  const others = options.otherBidders ?? [];
  const losers = typeof others === 'number' ? await Promise.all(Array.from({ length: others }, () => registerUser(t, 'expert'))) : others;
  const price = { amount: { amount, currency: 'usd' } };
  const request = await postRequest(t, customer, { maxBudget: { amount: Math.max(amount, 5000), currency: 'usd' }, ...options.request });
  const bid = await placeBid(t, expert, request.id, { ...price, ...(options.warrantyDays !== undefined && { warrantyDays: options.warrantyDays }) });
  const otherBidIds: string[] = [];
  for (const loser of losers) otherBidIds.push((await placeBid(t, loser, request.id, price)).id);
  const { escrow } = await acceptBid(t, customer, bid.id);
  return { customer, expert, requestId: request.id, bidId: bid.id, otherBidIds, escrowId: escrow.id, paymentIntentId: escrow.paymentIntentId, clientSecret: escrow.clientSecret, amount };
}

/** The customer's browser confirms with the client secret (official SDK, publishable key). */
export function pay(t: TestApp, paymentIntentId: string, clientSecret: string, paymentMethod = 'pm_card_visa'): Promise<Stripe.PaymentIntent> {
  return t.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: paymentMethod, client_secret: clientSecret } as Stripe.PaymentIntentConfirmParams);
}

/** Accepted, paid with pm_card_visa, and funded by the payment_intent.succeeded webhook (escrow held, request in_progress). */
export async function fundedDeal(t: TestApp, options: DealOptions = {}): Promise<Deal> {
  const deal = await acceptedDeal(t, options);
  await pay(t, deal.paymentIntentId, deal.clientSecret);
  await waitForEscrow(t, deal.escrowId, { status: 'held' });
  return deal;
}

/**
 * POST /v1/requests/:id/resolve as `deal.expert`, with the private note and, if given, the public
 * solution summary; the pending request, for the spec's own `.expect()`.
 */
export function resolve(t: TestApp, deal: Pick<Deal, 'expert' | 'requestId'>, note = 'Rebuilt the boot record; it starts again.', solutionSummary?: string) {
  return t.http
    .post(`/v1/requests/${deal.requestId}/resolve`)
    .set('authorization', deal.expert.auth)
    .send({ resolutionNote: note, ...(solutionSummary !== undefined && { solutionSummary }) });
}

/** Funded, then resolved by the awarded expert (review window open), with `options.solutionSummary` if given. */
export async function resolvedDeal(t: TestApp, options: DealOptions = {}): Promise<Deal> {
  const deal = await fundedDeal(t, options);
  await resolve(t, deal, options.resolutionNote, options.solutionSummary).expect(200);
  return deal;
}

/** POST /v1/requests/:id/review as `deal.customer` (resolved=true releases the money). */
export function review(t: TestApp, deal: Pick<Deal, 'customer' | 'requestId'>, body: Record<string, unknown> = { rating: 5, resolved: true }) {
  return t.http.post(`/v1/requests/${deal.requestId}/review`).set('authorization', deal.customer.auth).send(body);
}

export type EscrowWork<T> = (escrows: EscrowService, em: EntityManager) => Promise<T>;

/** As the reviews and disputes features do: lock the request row (its lifecycle), then refund and/or release its escrow, in one transaction. */
export function escrowTransaction<T>(t: TestApp, requestId: string, work: EscrowWork<T>): Promise<T> {
  return withTransaction(t.ds, async (em) => {
    await t.app.get(RequestLifecycle).lock(em, requestId);
    return work(t.app.get(EscrowService), em);
  });
}

/** What the app does right after a release commits: pay the expert now if it can (else the payout stays pending). */
export function payAfterCommit(t: TestApp, escrowId: string): ReturnType<PayoutService['payAfterCommit']> {
  return t.app.get(PayoutService).payAfterCommit(escrowId);
}

/** Releases the escrow as a positive review does (request locked first), paying after commit unless `payNow` is false. */
export async function releaseDeal(t: TestApp, deal: Pick<Deal, 'requestId' | 'escrowId'>, payNow = true): Promise<void> {
  await escrowTransaction(t, deal.requestId, (escrows, em) => escrows.releaseInTransaction(em, deal.escrowId, { reason: 'review' }));
  if (payNow) await payAfterCommit(t, deal.escrowId);
}

/** Moves the review window's end into the past; `pullJob` also makes the auto-release job due now. */
export async function makeReviewDue(t: TestApp, requestId: string, pullJob = true): Promise<void> {
  await t.ds.query(`UPDATE help_requests SET review_due_at = now() - interval '1 second' WHERE id = $1`, [requestId]);
  if (pullJob) await t.ds.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND data->>'requestId' = $2`, [TIMER_JOBS.auto_release, requestId]);
}

/** Moves funding past MAX_HOLD_DAYS and makes the hold-limit job due now (the worker then escalates). */
export async function makeHoldLimitDue(t: TestApp, requestId: string): Promise<void> {
  await t.ds.query(`UPDATE help_requests SET funded_at = funded_at - interval '61 days' WHERE id = $1`, [requestId]);
  await t.ds.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND data->>'requestId' = $2`, [TIMER_JOBS.hold_limit_escalation, requestId]);
}

/** Ends the warranty now (request and escrow) and makes its holdback-release job due. */
export async function makeWarrantyDue(t: TestApp, requestId: string): Promise<void> {
  await t.ds.query(`UPDATE help_requests SET warranty_ends_at = now() - interval '1 second' WHERE id = $1 AND warranty_ends_at IS NOT NULL`, [requestId]);
  await t.ds.query(`UPDATE escrows SET warranty_ends_at = now() - interval '1 second' WHERE request_id = $1 AND warranty_ends_at IS NOT NULL`, [requestId]);
  await t.ds.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND data->>'requestId' = $2`, [TIMER_JOBS.warranty_release, requestId]);
}

/** Moves a reopen past REOPEN_RESOLVE_DAYS and makes the escalation job due (the worker then opens a warranty dispute). */
export async function makeReopenEscalationDue(t: TestApp, requestId: string): Promise<void> {
  await t.ds.query(`UPDATE help_requests SET reopened_at = reopened_at - interval '8 days' WHERE id = $1`, [requestId]);
  await t.ds.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND data->>'requestId' = $2`, [TIMER_JOBS.reopen_escalation, requestId]);
}

/** The auto-release timer, fired directly (`now` defaults to the clock); true if it moved the request. */
export function autoRelease(t: TestApp, requestId: string, now?: Date): Promise<boolean> {
  return t.app.get(RequestLifecycle).fireTimer('auto_release', requestId, now);
}

/** The payment-window timer, fired directly (`now` defaults to the clock); true if the window lapsed. */
export function lapsePaymentWindow(t: TestApp, requestId: string, now?: Date): Promise<boolean> {
  return t.app.get(RequestLifecycle).fireTimer('payment_window_lapse', requestId, now);
}

/**
 * One reconciliation run with `meanwhile` done after it read the swept escrows at Stripe and
 * before it compares them with the ledger: a write racing the run, at the worst moment (M4).
 */
export async function reconcileWhile(t: TestApp, meanwhile: () => Promise<void>): Promise<Awaited<ReturnType<ReconciliationService['run']>>> {
  const reconciliation = t.app.get(ReconciliationService);
  const steps = reconciliation as unknown as { readSwept: (...args: unknown[]) => Promise<void> };
  const readSwept = steps.readSwept.bind(reconciliation);
  const spy = jest.spyOn(steps, 'readSwept').mockImplementationOnce(async (...args: unknown[]) => {
    await readSwept(...args);
    await meanwhile();
  });
  try {
    const result = await reconciliation.run();
    expect(spy).toHaveBeenCalledTimes(1);
    return result;
  } finally {
    spy.mockRestore();
  }
}

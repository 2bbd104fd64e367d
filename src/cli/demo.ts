import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Stripe from 'stripe';

/**
 * npm run demo — plays the contract's whole flow against a running `npm start` in sandbox mode,
 * with the official Stripe SDK on the customer's side: onboard an expert, post, bid, accept,
 * pay, resolve, rate, get paid; a declined card; a dispute settled by a split. The ledger
 * invariants are checked after each act. FIXBID_URL (default http://localhost:3000) and
 * STRIPE_SANDBOX_PORT (default 12111) say where the server and its emulator are.
 */
const base = (process.env.FIXBID_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
const stripe = new Stripe('pk_test_sandbox', {
  host: '127.0.0.1',
  port: Number(process.env.STRIPE_SANDBOX_PORT ?? 12111),
  protocol: 'http',
  telemetry: false,
});
const tag = randomBytes(3).toString('hex');

interface Actor {
  id: string;
  auth: string;
}

async function call<T = Record<string, unknown>>(method: string, path: string, who?: Actor, body?: unknown, expect = [200, 201]): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(who ? { authorization: who.auth } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!expect.includes(res.status)) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

async function until<T>(what: string, probe: () => Promise<T | false | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function register(role: 'customer' | 'expert', name: string): Promise<Actor> {
  const body = { email: `${name.toLowerCase()}-${tag}@demo.fixbid.test`, password: 'demo password 123', displayName: name, role };
  const res = await call<{ user: { id: string }; accessToken: string }>('POST', '/v1/auth/register', undefined, body);
  return { id: res.user.id, auth: `Bearer ${res.accessToken}` };
}

async function createAdmin(): Promise<Actor> {
  const email = `admin-${tag}@demo.fixbid.test`;
  const password = 'demo admin password';
  execFileSync(process.execPath, [join(__dirname, 'admin-create.js'), '--email', email, '--password', password], { stdio: 'ignore' });
  const res = await call<{ user: { id: string }; accessToken: string }>('POST', '/v1/auth/login', undefined, { email, password });
  return { id: res.user.id, auth: `Bearer ${res.accessToken}` };
}

async function ledgerOk(admin: Actor, after: string): Promise<void> {
  const ledger = await call<{ ok: boolean; violations: unknown[]; balances: unknown }>('GET', '/v1/admin/ledger', admin);
  if (!ledger.ok) throw new Error(`ledger violations after ${after}: ${JSON.stringify(ledger.violations)}`);
  console.log(`   ledger ok after ${after}: ${JSON.stringify(ledger.balances)}`);
}

async function acceptedRequest(customer: Actor, expert: Actor, amount: number, title: string) {
  const request = await call<{ id: string }>('POST', '/v1/requests', customer, {
    title,
    description: 'Since this morning the machine stops at a black screen after the logo; safe mode does not help.',
    category: 'windows',
    maxBudget: { amount: 10_000, currency: 'usd' },
  });
  const bid = await call<{ id: string }>('POST', `/v1/requests/${request.id}/bids`, expert, {
    amount: { amount, currency: 'usd' },
    etaMinutes: 60,
    message: 'I can fix this remotely within the hour.',
  });
  const accepted = await call<{ escrow: { paymentIntentId: string; clientSecret: string } }>('POST', `/v1/bids/${bid.id}/accept`, customer);
  return { requestId: request.id, ...accepted.escrow };
}

async function pay(paymentIntentId: string, clientSecret: string, card: string) {
  return stripe.paymentIntents.confirm(paymentIntentId, { payment_method: card, client_secret: clientSecret } as Stripe.PaymentIntentConfirmParams);
}

async function escrowOf(requestId: string, who: Actor) {
  type Money = { amount: number; currency: string };
  return call<{ status: string; payoutStatus: string; amount: Money; platformFee: Money; expertPayout: Money; refundedAmount: Money }>(
    'GET', `/v1/requests/${requestId}/escrow`, who);
}

async function main(): Promise<void> {
  await call('GET', '/health/ready');
  console.log(`Fixbid demo against ${base} (sandbox payments)`);
  const admin = await createAdmin();
  const customer = await register('customer', 'Carol');
  const expert = await register('expert', 'Eve');
  await call('PUT', '/v1/experts/me/profile', expert, {
    headline: 'Windows boot and driver problems', bio: 'Ten years of desk-side support.', skills: ['windows'], languages: ['en'], available: true,
  });

  console.log('1. Expert onboards a payout account (opening the account link completes it)');
  const account = await call<{ onboardingUrl: string }>('POST', '/v1/experts/me/payout-account', expert);
  await fetch(account.onboardingUrl).then((r) => r.text());
  await until('payouts enabled', async () => (await call<{ payoutsEnabled: boolean }>('GET', '/v1/experts/me/payout-account', expert)).payoutsEnabled);

  console.log('2. Post → bid → accept → pay with pm_card_visa → resolve → rate → paid');
  const happy = await acceptedRequest(customer, expert, 4_500, 'Laptop will not boot past the logo');
  await pay(happy.paymentIntentId, happy.clientSecret, 'pm_card_visa');
  await until('escrow held', async () => (await escrowOf(happy.requestId, customer)).status === 'held');
  await call('POST', `/v1/requests/${happy.requestId}/resolve`, expert, { resolutionNote: 'Repaired the boot configuration; it starts normally.' });
  await call('POST', `/v1/requests/${happy.requestId}/review`, customer, { rating: 5, resolved: true, comment: 'Fixed fast.' });
  const paid = await until('payout paid', async () => {
    const e = await escrowOf(happy.requestId, customer);
    return e.payoutStatus === 'paid' && e;
  });
  console.log(`   released ${paid.amount.amount}: expert paid ${paid.expertPayout.amount}, platform fee ${paid.platformFee.amount}`);
  await ledgerOk(admin, 'the payout');

  console.log('3. A declined card (pm_card_chargeDeclined)');
  const declined = await acceptedRequest(customer, expert, 2_000, 'Printer queue stuck on every job');
  try {
    await pay(declined.paymentIntentId, declined.clientSecret, 'pm_card_chargeDeclined');
    throw new Error('the declined card was charged');
  } catch (err) {
    if (!(err instanceof Stripe.errors.StripeCardError)) throw err;
    console.log(`   declined: ${err.code} / ${err.decline_code}; escrow is ${(await escrowOf(declined.requestId, customer)).status}`);
  }
  await ledgerOk(admin, 'the decline');

  console.log('4. Not fixed → dispute → admin split (refund 1,200)');
  const split = await acceptedRequest(customer, expert, 4_000, 'Outlook loses mail after every sync');
  await pay(split.paymentIntentId, split.clientSecret, 'pm_card_visa');
  await until('escrow held', async () => (await escrowOf(split.requestId, customer)).status === 'held');
  await call('POST', `/v1/requests/${split.requestId}/resolve`, expert, { resolutionNote: 'Rebuilt the profile and the sync settings.' });
  await call('POST', `/v1/requests/${split.requestId}/review`, customer, { rating: 2, resolved: false, comment: 'Mail still disappears.' });
  const disputes = await call<{ data: Array<{ id: string; requestId: string }> }>('GET', '/v1/admin/disputes?status=open&limit=100', admin);
  const dispute = disputes.data.find((d) => d.requestId === split.requestId);
  if (!dispute) throw new Error('the dispute is not in the admin queue');
  await call('POST', `/v1/admin/disputes/${dispute.id}/resolve`, admin, { outcome: 'split', refundAmount: 1_200 });
  const settled = await until('split settled', async () => {
    const e = await escrowOf(split.requestId, customer);
    return e.payoutStatus === 'paid' && e.refundedAmount.amount === 1_200 && e;
  });
  console.log(`   split: refunded ${settled.refundedAmount.amount}, escrow ${settled.status}, payout ${settled.payoutStatus}`);
  await ledgerOk(admin, 'the split');
  console.log('Demo complete.');
}

main().catch((err) => {
  console.error(`demo failed: ${(err as Error).message}`);
  process.exit(1);
});

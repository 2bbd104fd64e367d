import { Pool } from 'pg';
import Stripe from 'stripe';
import type { StripeSandbox } from '../src/stripe-sandbox';
import { TIMER_JOBS } from '../src/requests/request-lifecycle.service';
import { Actor, Api } from './api';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Queues of work that must run to the end (not the timers, not the recurring sweeps). */
const WORK_QUEUES = ['payments.payout', 'payments.partner-payout', 'payments.refund', 'payments.cancel-payment-intent', 'payments.stripe-event', 'payments.chargeback-reversal'];

export interface Settled {
  ms: number;
  quiet: boolean;
  /** What was still moving when the wait gave up. */
  busy: Record<string, number>;
}

async function busyNow(pool: Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query<Record<string, string>>(
    `SELECT (SELECT count(*) FROM stripe_events WHERE status = 'received') AS events_unapplied,
            (SELECT count(*) FROM pgboss.job WHERE state IN ('created', 'retry', 'active') AND name = ANY($1::text[])) AS work_jobs,
            (SELECT count(*) FROM pgboss.job WHERE state IN ('created', 'retry', 'active') AND name LIKE 'request.%' AND start_after <= now()) AS timers_due`,
    [WORK_QUEUES],
  );
  return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]));
}

/**
 * Waits until nothing is moving: the sandbox has no webhook queued, in flight, held back or
 * waiting for a retry (and none of its own later changes pending), every received event is
 * applied, no payout, refund, reversal or cancel job is left, no timer is due — twice in a row.
 */
export async function settle(sandbox: StripeSandbox, pool: Pool, timeoutMs: number): Promise<Settled> {
  const started = Date.now();
  let quietTimes = 0;
  let busy: Record<string, number> = {};
  while (Date.now() - started < timeoutMs) {
    const idle = await Promise.race([sandbox.webhooksIdle().then(() => true), sleep(2000).then(() => false)]);
    busy = { ...(await busyNow(pool)), webhooks_moving: idle ? 0 : 1 };
    quietTimes = Object.values(busy).every((n) => n === 0) ? quietTimes + 1 : 0;
    if (quietTimes >= 2) return { ms: Date.now() - started, quiet: true, busy };
    await sleep(500);
  }
  return { ms: Date.now() - started, quiet: false, busy };
}

/** The app's own reconciliation (M4) runs every few seconds: wait for one that started after the world settled. */
export async function freshReconciliation(pool: Pool, after: Date, timeoutMs: number): Promise<boolean> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await sleep(500)) {
    const { rows } = await pool.query(`SELECT 1 FROM reconciliation_runs WHERE started_at > $1 LIMIT 1`, [after]);
    if (rows.length) return true;
  }
  return false;
}

export interface LedgerView {
  ok: boolean;
  violations: Array<{ code: string; message: string }>;
  balances: Record<string, number>;
}

export async function ledgerReport(api: Api, admin: Actor): Promise<LedgerView> {
  const { body } = await api.expect<{ ok: boolean; violations: LedgerView['violations']; balances: { usd: Record<string, number> } }>([200], 'GET', '/v1/admin/ledger', { as: admin });
  return { ok: body.ok, violations: body.violations, balances: body.balances.usd };
}

/** Everything at "Stripe" (the sandbox), listed page by page through the official SDK. */
export interface StripeWorld {
  paymentIntents: Stripe.PaymentIntent[];
  transfers: Stripe.Transfer[];
  reversals: Stripe.TransferReversal[];
  refunds: Stripe.Refund[];
  disputes: Stripe.Dispute[];
}

async function all<T>(list: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of list) items.push(item);
  return items;
}

export async function readStripe(stripe: Stripe): Promise<StripeWorld> {
  const [paymentIntents, transfers, refunds, disputes] = await Promise.all([
    all(stripe.paymentIntents.list({ limit: 100 })),
    all(stripe.transfers.list({ limit: 100 })),
    all(stripe.refunds.list({ limit: 100 })),
    all(stripe.disputes.list({ limit: 100 })),
  ]);
  const reversals: Stripe.TransferReversal[] = [];
  for (const transfer of transfers.filter((t) => t.amount_reversed > 0)) reversals.push(...(await all(stripe.transfers.listReversals(transfer.id, { limit: 100 }))));
  return { paymentIntents, transfers, reversals, refunds, disputes };
}

interface Txn {
  id: string;
  kind: string;
  reference: string;
  escrowId: string;
  stripeObjectId: string | null;
  /** The posting's lines by account. */
  lines: Record<string, number>;
}

interface RefundRow {
  id: string;
  escrowId: string;
  amount: number;
  status: string;
  stripeRefundId: string | null;
  key: string;
}

interface EscrowRow {
  id: string;
  status: string;
  paymentIntentId: string | null;
  chargeId: string | null;
  held: number;
}

async function readLedger(pool: Pool): Promise<{ txns: Txn[]; refunds: RefundRow[]; escrows: EscrowRow[] }> {
  const txns = (
    await pool.query(
      `SELECT t.id, t.kind, t.reference, t.escrow_id, t.stripe_object_id, json_object_agg(e.account, e.amount) AS lines
         FROM ledger_transactions t JOIN (SELECT txn_id, account, sum(amount)::bigint AS amount FROM ledger_entries GROUP BY txn_id, account) e ON e.txn_id = t.id
        GROUP BY t.id`,
    )
  ).rows.map((r) => ({ id: r.id, kind: r.kind, reference: r.reference, escrowId: r.escrow_id, stripeObjectId: r.stripe_object_id, lines: r.lines as Record<string, number> }));
  const refunds = (await pool.query(`SELECT id, escrow_id, amount, status, stripe_refund_id, idempotency_key FROM escrow_refunds`)).rows.map((r) => ({
    id: r.id,
    escrowId: r.escrow_id,
    amount: Number(r.amount),
    status: r.status,
    stripeRefundId: r.stripe_refund_id,
    key: r.idempotency_key,
  }));
  const escrows = (
    await pool.query(
      `SELECT id, status, payment_intent_id, charge_id,
              CASE WHEN status IN ('requires_payment', 'cancelled') THEN 0
                   ELSE amount - refunded_amount - released_amount - chargeback_loss_held - unclaimed_amount END AS held
         FROM escrows`,
    )
  ).rows.map((r) => ({ id: r.id, status: r.status, paymentIntentId: r.payment_intent_id, chargeId: r.charge_id, held: Number(r.held) }));
  return { txns, refunds, escrows };
}

export interface Matching {
  /** Each Stripe object without its ledger entry, or entry without its object, in words. */
  unmatched: string[];
  matched: { paymentIntents: number; transfers: number; reversals: number; refunds: number; lostDisputes: number };
}

const line = (txn: Txn, account: string) => Number(txn.lines[account] ?? 0);

/**
 * One to one, both ways: every succeeded PaymentIntent ↔ one funding entry (its charge), every
 * Transfer ↔ one payout entry, every Reversal ↔ one reversal entry, every Refund ↔ one refund row
 * with its refund entry (and, failed, its reversal), every lost chargeback ↔ its loss — each with
 * the same amount.
 */
export async function matchStripe(pool: Pool, world: StripeWorld): Promise<Matching> {
  const { txns, refunds, escrows } = await readLedger(pool);
  const unmatched: string[] = [];
  const byStripeId = (kinds: string[]) => new Map(txns.filter((t) => kinds.includes(t.kind) && t.stripeObjectId).map((t) => [t.stripeObjectId as string, t]));
  const seen = new Set<string>();
  const matched = { paymentIntents: 0, transfers: 0, reversals: 0, refunds: 0, lostDisputes: 0 };
  const escrowById = new Map(escrows.map((e) => [e.id, e]));

  const fundings = byStripeId(['funding']);
  for (const pi of world.paymentIntents) {
    const escrow = escrowById.get(pi.metadata.escrowId ?? '');
    if (pi.status !== 'succeeded') {
      if (escrow && escrow.chargeId && escrow.paymentIntentId === pi.id) unmatched.push(`PaymentIntent ${pi.id} is ${pi.status}, yet escrow ${escrow.id} was funded by it`);
      continue;
    }
    const funding = fundings.get(String(pi.latest_charge));
    if (!funding) unmatched.push(`PaymentIntent ${pi.id} (${pi.amount}) succeeded without a funding entry`);
    else if (line(funding, 'escrow_held') !== pi.amount || funding.escrowId !== pi.metadata.escrowId) unmatched.push(`PaymentIntent ${pi.id} (${pi.amount}) funded ${line(funding, 'escrow_held')} of escrow ${funding.escrowId}`);
    else {
      seen.add(funding.id);
      matched.paymentIntents += 1;
    }
  }

  const payouts = byStripeId(['payout', 'partner_payout']);
  for (const transfer of world.transfers) {
    const payout = payouts.get(transfer.id);
    if (!payout) unmatched.push(`Transfer ${transfer.id} (${transfer.amount}) without a payout entry`);
    else if (line(payout, 'paid_out') !== transfer.amount || payout.escrowId !== transfer.metadata.escrowId) unmatched.push(`Transfer ${transfer.id} (${transfer.amount}) booked as ${line(payout, 'paid_out')}`);
    else {
      seen.add(payout.id);
      matched.transfers += 1;
    }
  }

  const reversals = byStripeId(['reversal']);
  for (const reversal of world.reversals) {
    const entry = reversals.get(reversal.id);
    if (!entry) unmatched.push(`Reversal ${reversal.id} (${reversal.amount}) without a reversal entry`);
    else if (-line(entry, 'paid_out') !== reversal.amount) unmatched.push(`Reversal ${reversal.id} (${reversal.amount}) booked as ${-line(entry, 'paid_out')}`);
    else {
      seen.add(entry.id);
      matched.reversals += 1;
    }
  }

  const rowsByStripeId = new Map(refunds.filter((r) => r.stripeRefundId).map((r) => [r.stripeRefundId as string, r]));
  const txnByReference = new Map(txns.map((t) => [t.reference, t]));
  const stripeRefundIds = new Set(world.refunds.map((r) => r.id));
  for (const refund of world.refunds) {
    const row = rowsByStripeId.get(refund.id);
    const booked = row && txnByReference.get(row.key);
    const reversed = row && txnByReference.get(`refund_failed:${row.key}`);
    const failed = refund.status === 'failed' || refund.status === 'canceled';
    if (!row || !booked) unmatched.push(`Refund ${refund.id} (${refund.amount}, ${refund.status}) without its refund ${row ? 'entry' : 'row'}`);
    else if (row.amount !== refund.amount || line(booked, 'refunded') !== refund.amount) unmatched.push(`Refund ${refund.id} (${refund.amount}) booked as ${line(booked, 'refunded')}`);
    else if (failed !== (row.status === 'failed') || failed !== Boolean(reversed)) unmatched.push(`Refund ${refund.id} is ${refund.status} at Stripe, ${row.status} here${reversed ? ', reversed in the ledger' : ''}`);
    else {
      seen.add(booked.id);
      if (reversed) seen.add(reversed.id);
      matched.refunds += 1;
    }
  }
  for (const row of refunds) {
    if (row.stripeRefundId && !stripeRefundIds.has(row.stripeRefundId)) unmatched.push(`refund row ${row.id} names ${row.stripeRefundId}, unknown at Stripe`);
    // A refund Stripe refused outright has no Refund object: its entry and its reversal pair up here.
    if (!row.stripeRefundId && row.status === 'failed' && txnByReference.get(row.key) && txnByReference.get(`refund_failed:${row.key}`)) {
      seen.add(txnByReference.get(row.key)!.id);
      seen.add(txnByReference.get(`refund_failed:${row.key}`)!.id);
    }
  }

  const escrowByCharge = new Map(escrows.filter((e) => e.chargeId).map((e) => [e.chargeId as string, e]));
  for (const dispute of world.disputes) {
    const escrow = escrowByCharge.get(String(dispute.charge));
    const losses = txns.filter((t) => t.kind === 'chargeback' && t.escrowId === escrow?.id);
    const booked = losses.reduce((sum, t) => sum + line(t, 'chargeback_loss'), 0);
    const expected = dispute.status === 'lost' ? dispute.amount : 0;
    if (!escrow) unmatched.push(`Dispute ${dispute.id} on charge ${String(dispute.charge)}, which funded no escrow`);
    else if (booked !== expected) unmatched.push(`Dispute ${dispute.id} (${dispute.status}, ${dispute.amount}): ${booked} booked as chargeback loss`);
    else {
      for (const t of losses) seen.add(t.id);
      if (dispute.status === 'lost') matched.lostDisputes += 1;
    }
  }

  // The other way: every entry that records a Stripe object was matched above.
  for (const txn of txns) {
    if (seen.has(txn.id)) continue;
    if (['funding', 'payout', 'partner_payout', 'reversal', 'refund', 'refund_failed', 'chargeback'].includes(txn.kind)) {
      unmatched.push(`ledger ${txn.kind} ${txn.reference} (${JSON.stringify(txn.lines)}) matches nothing at Stripe`);
    }
  }
  return { unmatched, matched };
}

export interface MoneyTerm {
  name: string;
  amount: number;
  source: string;
}

export interface Equation {
  moneyIn: MoneyTerm[];
  moneyOut: MoneyTerm[];
  difference: number;
  /** Stripe's totals against the ledger's accounts, each of which must agree. */
  crossChecks: Array<{ name: string; stripe: number; ledger: number }>;
}

/**
 * money in = money out + held + fees + losses, to the cent, with the outside of the ledger read
 * from Stripe: in = succeeded PaymentIntents; out = Transfers − Reversals + succeeded Refunds;
 * losses = lost chargebacks; held = what the escrows hold (their own columns); fees = the
 * platform's revenue; and what is owed either way (still to pay an expert or partner, refunds
 * owed to customers after a write-off, debts of experts and partners, negative) from the ledger.
 */
export async function moneyEquation(pool: Pool, world: StripeWorld, balances: Record<string, number>): Promise<Equation> {
  const sum = <T>(items: T[], amount: (t: T) => number) => items.reduce((total, item) => total + amount(item), 0);
  const charged = sum(world.paymentIntents.filter((p) => p.status === 'succeeded'), (p) => p.amount);
  const transferred = sum(world.transfers, (t) => t.amount);
  const reversed = sum(world.reversals, (r) => r.amount);
  const refunded = sum(world.refunds.filter((r) => r.status === 'succeeded'), (r) => r.amount);
  const lost = sum(world.disputes.filter((d) => d.status === 'lost'), (d) => d.amount);
  const { rows } = await pool.query(
    `SELECT COALESCE(sum(CASE WHEN status IN ('requires_payment', 'cancelled') THEN 0
                         ELSE amount - refunded_amount - released_amount - chargeback_loss_held - unclaimed_amount END), 0)::bigint AS held,
            (SELECT COALESCE(-sum(amount), 0)::bigint FROM ledger_entries WHERE account = 'customer_funds') AS customer_funds,
            (SELECT COALESCE(-sum(amount), 0)::bigint FROM ledger_entries WHERE account = 'paid_out' AND kind = 'recovery') AS recovered
       FROM escrows`,
  );
  const held = Number(rows[0].held);
  const recovered = Number(rows[0].recovered);
  const b = (account: string) => Number(balances[account] ?? 0);
  const moneyIn: MoneyTerm[] = [
    { name: 'charged (succeeded PaymentIntents)', amount: charged, source: 'Stripe' },
    { name: 'debts repaid outside Stripe', amount: recovered, source: 'ledger' },
  ];
  const moneyOut: MoneyTerm[] = [
    { name: 'transferred to experts and partners', amount: transferred, source: 'Stripe' },
    { name: 'reversed back from them', amount: -reversed, source: 'Stripe' },
    { name: 'refunded to customers', amount: refunded, source: 'Stripe' },
    { name: 'lost to chargebacks', amount: lost, source: 'Stripe' },
    { name: 'held in escrow', amount: held, source: 'escrows' },
    { name: 'platform fees kept', amount: b('platform_revenue'), source: 'ledger' },
    { name: 'owed to experts', amount: b('expert_payable'), source: 'ledger' },
    { name: 'owed to partners', amount: b('partner_payable'), source: 'ledger' },
    { name: 'owed to customers (refunds written off)', amount: b('unclaimed_refunds'), source: 'ledger' },
    { name: 'owed by experts', amount: b('expert_receivable'), source: 'ledger' },
    { name: 'owed by partners', amount: b('partner_receivable'), source: 'ledger' },
  ];
  const difference = sum(moneyIn, (t) => t.amount) - sum(moneyOut, (t) => t.amount);
  const crossChecks = [
    { name: 'charged = customer_funds', stripe: charged, ledger: Number(rows[0].customer_funds) },
    { name: 'transfers − reversals − repaid = paid_out', stripe: transferred - reversed - recovered, ledger: b('paid_out') },
    { name: 'refunds = refunded', stripe: refunded, ledger: b('refunded') },
    { name: 'lost chargebacks = chargeback_loss', stripe: lost, ledger: b('chargeback_loss') },
    { name: 'escrows hold = escrow_held', stripe: held, ledger: b('escrow_held') },
  ];
  return { moneyIn, moneyOut, difference, crossChecks };
}

/**
 * What should be moving and is not: a request in a non-final state without the timer that will
 * move it (or, disputed, without an open dispute for an admin), a dispute still open, an event
 * not applied, a payout or refund left half-way, a cancelled escrow whose PaymentIntent can
 * still be paid, a job that gave up.
 */
export async function stuckItems(pool: Pool, world: StripeWorld): Promise<string[]> {
  const timerOf: Record<string, string> = {
    open: TIMER_JOBS.expire,
    awaiting_payment: TIMER_JOBS.payment_window_lapse,
    in_progress: TIMER_JOBS.hold_limit_escalation,
    resolved: TIMER_JOBS.auto_release,
  };
  const stuck: string[] = [];
  const noTimer = await pool.query(
    `SELECT r.id, r.status FROM help_requests r
      WHERE r.status = ANY($1::text[])
        AND NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = ($2::jsonb ->> r.status) AND j.data->>'requestId' = r.id::text AND j.state IN ('created', 'retry', 'active'))`,
    [Object.keys(timerOf), JSON.stringify(timerOf)],
  );
  for (const r of noTimer.rows) stuck.push(`request ${r.id} is ${r.status} without its timer`);
  const disputed = await pool.query(
    `SELECT r.id FROM help_requests r WHERE r.status = 'disputed'
        AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.request_id = r.id AND d.status = 'open' AND d.kind IN ('customer', 'chargeback', 'warranty'))`,
  );
  for (const r of disputed.rows) stuck.push(`request ${r.id} is disputed without an open dispute`);
  const queries: Array<[string, string]> = [
    [`SELECT id || ' (' || kind || ')' AS what FROM disputes WHERE status = 'open'`, 'dispute still open'],
    [`SELECT id || ' (' || type || ', ' || status || ')' AS what FROM stripe_events WHERE status IN ('received', 'waiting')`, 'Stripe event not applied'],
    [`SELECT id AS what FROM escrows WHERE payout_status = 'transferring' OR partner_payout_status = 'transferring'`, 'escrow with a Transfer half-made'],
    [
      `SELECT e.id AS what FROM escrows e JOIN payout_accounts a ON a.user_id = e.expert_id
        WHERE e.payout_status = 'pending' AND NOT e.frozen AND a.payouts_enabled AND a.status = 'enabled'`,
      'escrow owing a payable expert',
    ],
    [`SELECT id AS what FROM escrow_refunds WHERE status = 'pending'`, 'refund decided, not made'],
    [`SELECT name || ' ' || id AS what FROM pgboss.job WHERE state = 'failed'`, 'job that gave up'],
  ];
  for (const [sql, label] of queries) for (const r of (await pool.query(sql)).rows) stuck.push(`${label}: ${r.what}`);
  const cancelled = new Set((await pool.query(`SELECT payment_intent_id FROM escrows WHERE status = 'cancelled' AND payment_intent_id IS NOT NULL`)).rows.map((r) => r.payment_intent_id));
  for (const pi of world.paymentIntents) {
    if (cancelled.has(pi.id) && !['canceled', 'succeeded'].includes(pi.status)) stuck.push(`PaymentIntent ${pi.id} of a cancelled escrow is still payable (${pi.status})`);
  }
  return stuck;
}

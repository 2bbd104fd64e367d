import { Pool } from 'pg';
import type { StripeSandbox } from '../src/stripe-sandbox';
import { Actor, Api } from './api';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Queues of work that must run to the end (not the timers, not the recurring sweeps). */
const WORK_QUEUES = ['payments.payout', 'payments.partner-payout', 'payments.holdback-payout', 'payments.refund', 'payments.cancel-payment-intent', 'payments.stripe-event', 'payments.chargeback-reversal'];

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


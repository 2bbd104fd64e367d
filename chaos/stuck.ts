import { Pool } from 'pg';
import { TIMER_JOBS } from '../src/requests/request-lifecycle.service';
import type { StripeWorld } from './matching';

/**
 * What should be moving and is not: a request in a non-final state (or completed with its
 * warranty running) without the timer that will move it (or, disputed, without an open dispute for an admin), a dispute still open, an event
 * not applied, a payout or refund left half-way, a cancelled escrow whose PaymentIntent can
 * still be paid, a job that gave up.
 */
export async function stuckItems(pool: Pool, world: StripeWorld): Promise<string[]> {
  const stuck: string[] = [];
  // The timer each non-final state waits on (request-state.ts REQUEST_TIMERS): a reopened job's
  // is reopen_escalation, a completed job's is warranty_release while its warranty runs.
  const noTimer = await pool.query(
    `SELECT id, status, timer FROM (
       SELECT r.id, r.status,
              CASE r.status WHEN 'open' THEN $1 WHEN 'awaiting_payment' THEN $2 WHEN 'resolved' THEN $3
                            WHEN 'in_progress' THEN CASE WHEN r.round > 1 THEN $4 ELSE $5 END
                            WHEN 'completed' THEN CASE WHEN r.warranty_ends_at IS NOT NULL THEN $6 END END AS timer
         FROM help_requests r) t
      WHERE timer IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = t.timer AND j.data->>'requestId' = t.id::text AND j.state IN ('created', 'retry', 'active'))`,
    [TIMER_JOBS.expire, TIMER_JOBS.payment_window_lapse, TIMER_JOBS.auto_release, TIMER_JOBS.reopen_escalation, TIMER_JOBS.hold_limit_escalation, TIMER_JOBS.warranty_release],
  );
  for (const r of noTimer.rows) stuck.push(`request ${r.id} is ${r.status} without its timer (${r.timer})`);
  const disputed = await pool.query(
    `SELECT r.id FROM help_requests r WHERE r.status = 'disputed'
        AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.request_id = r.id AND d.status = 'open' AND d.kind IN ('customer', 'chargeback', 'warranty'))`,
  );
  for (const r of disputed.rows) stuck.push(`request ${r.id} is disputed without an open dispute`);
  const queries: Array<[string, string]> = [
    [`SELECT id || ' (' || kind || ')' AS what FROM disputes WHERE status = 'open'`, 'dispute still open'],
    [`SELECT id || ' (' || type || ', ' || status || ')' AS what FROM stripe_events WHERE status IN ('received', 'waiting')`, 'Stripe event not applied'],
    [`SELECT id AS what FROM escrows WHERE 'transferring' IN (payout_status, partner_payout_status, holdback_payout_status)`, 'escrow with a Transfer half-made'],
    [
      `SELECT e.id AS what FROM escrows e JOIN payout_accounts a ON a.user_id = e.expert_id
        WHERE e.holdback_payout_status = 'pending' AND NOT e.frozen AND a.payouts_enabled AND a.status = 'enabled'`,
      'escrow owing a payable expert its holdback',
    ],
    [
      `SELECT e.id AS what FROM escrows e JOIN partner_payout_accounts a ON a.partner_id = e.partner_id
        WHERE e.partner_payout_status = 'pending' AND NOT e.frozen AND a.payouts_enabled AND a.status = 'enabled'`,
      'escrow owing a payable partner its share',
    ],
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

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import Stripe from 'stripe';
import { ReconciliationService, SWEEP_LIMIT } from '../src/payments/reconciliation.service';

export interface ReconcileResult {
  escrows: number;
  /** Escrows awaiting payment, each with a real PaymentIntent at the sandbox (the sweep reads them). */
  awaiting: number;
  runMs: number;
  stripeObjects: number;
  violations: number;
}

/**
 * One reconciliation run in the steady state (issue 9, item 6): `count` escrows, nearly all final
 * (released and paid a month ago), a sweep's worth awaiting payment with real PaymentIntents at
 * the sandbox, and a previous run's watermark five minutes back — so the run lists what Stripe
 * created since then, reads the unfinished escrows one by one, and compares. Timed as the job
 * runs it: `ReconciliationService.run()` in the server process.
 */
export async function reconciliationRun(app: NestFastifyApplication, databaseUrl: string, stripe: Stripe, count: number): Promise<ReconcileResult> {
  const db = new Client({ connectionString: databaseUrl, application_name: 'fixbid-bench' });
  await db.connect();
  try {
    const awaiting = Math.min(SWEEP_LIMIT, Math.max(1, Math.floor(count / 500)));
    // `awaiting` live escrows on distinct requests (one live escrow per request), then final, old
    // ones on any seeded bids (a request may have had several escrows: lapsed, then paid).
    const insert = `INSERT INTO escrows (request_id, bid_id, customer_id, expert_id, amount, currency, platform_fee, expert_payout, fee_bps,
                            status, payout_status, charge_id, transfer_id, funded_at, released_at, released_amount, created_at, updated_at)`;
    const liveRows = await db.query(
      `${insert}
       SELECT DISTINCT ON (b.request_id) b.request_id, b.id, r.customer_id, b.expert_id, b.amount, b.currency, b.amount * 1500 / 10000,
              b.amount - b.amount * 1500 / 10000, 1500, 'requires_payment', 'none', NULL, NULL, NULL, NULL, 0, now() - interval '2 hours', now()
         FROM bids b JOIN help_requests r ON r.id = b.request_id
        WHERE NOT EXISTS (SELECT 1 FROM escrows e WHERE e.request_id = b.request_id)
        ORDER BY b.request_id, b.created_at
        LIMIT $1
       RETURNING id, status, amount, currency`,
      [awaiting],
    );
    const finalRows = await db.query(
      `${insert}
       SELECT b.request_id, b.id, r.customer_id, b.expert_id, b.amount, b.currency, b.amount * 1500 / 10000, b.amount - b.amount * 1500 / 10000, 1500,
              'released', 'paid', 'ch_bench_' || n, 'tr_bench_' || n, now() - interval '40 days', now() - interval '33 days', b.amount,
              now() - interval '40 days', now() - interval '33 days'
         FROM (SELECT b.*, row_number() OVER (ORDER BY b.id) AS n FROM bids b) b JOIN help_requests r ON r.id = b.request_id
        WHERE b.n <= $1`,
      [count - liveRows.rows.length],
    );
    const seeded = { rowCount: (liveRows.rowCount ?? 0) + (finalRows.rowCount ?? 0), rows: liveRows.rows };
    const live = (seeded.rows as Array<{ id: string; status: string; amount: number; currency: string }>).filter((r) => r.status === 'requires_payment');
    for (const escrow of live) {
      const pi = await stripe.paymentIntents.create({ amount: escrow.amount, currency: escrow.currency, metadata: { escrowId: escrow.id } });
      await db.query(`UPDATE escrows SET payment_intent_id = $2, client_secret = $3, created_at = now() - interval '2 hours' WHERE id = $1`, [
        escrow.id,
        pi.id,
        pi.client_secret,
      ]);
    }
    await db.query('ANALYZE escrows');
    // The steady state: a run five minutes ago left its watermark.
    await db.query(
      `INSERT INTO reconciliation_runs (started_at, finished_at, repaired, violations, watermark) VALUES (now() - interval '5 minutes', now() - interval '5 minutes', '[]', '[]', now() - interval '5 minutes')`,
    );
    const reconciliation = app.get(ReconciliationService);
    const started = performance.now();
    const result = await reconciliation.run();
    const runMs = performance.now() - started;
    return { escrows: seeded.rowCount ?? 0, awaiting: live.length, runMs, stripeObjects: result.stripeObjects ?? 0, violations: result.violations.length };
  } finally {
    await db.end();
  }
}

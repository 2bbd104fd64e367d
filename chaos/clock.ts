import { Pool } from 'pg';
import { TIMER_JOBS } from '../src/requests/request-lifecycle.service';

/** The timers the run moves time for. */
export type ElapsedWindow = 'payment_window_lapse' | 'auto_release' | 'expire' | 'warranty_release' | 'reopen_escalation';

/** Per window: the instants that move back (request columns, and the escrow's copy of the warranty's end), by how much, and the state it applies in. */
interface Window {
  columns: string[];
  /** An SQL interval over the request row `r`: how far back its instants move. */
  back: (settings: WindowSettings) => string;
  escrowColumns?: string[];
  status: string;
}

const WINDOWS: Record<ElapsedWindow, Window> = {
  payment_window_lapse: { columns: ['accepted_at'], back: (s) => `make_interval(hours => ${s.paymentWindowHours}, mins => 1)`, status: 'awaiting_payment' },
  auto_release: { columns: ['resolved_at', 'review_due_at'], back: (s) => `make_interval(hours => ${s.reviewWindowHours}, mins => 1)`, status: 'resolved' },
  expire: { columns: ['created_at', 'bidding_closes_at'], back: () => `make_interval(hours => 72, mins => 1)`, status: 'open' },
  // The bid's own warranty (warrantyDays) runs out; the escrow shows the same end.
  warranty_release: { columns: ['warranty_ends_at'], escrowColumns: ['warranty_ends_at'], back: () => `make_interval(days => r.warranty_days, mins => 1)`, status: 'completed' },
  // A reopened job not resolved again within REOPEN_RESOLVE_DAYS.
  reopen_escalation: { columns: ['reopened_at'], back: (s) => `make_interval(days => ${s.reopenResolveDays}, mins => 1)`, status: 'in_progress' },
};

export interface WindowSettings {
  paymentWindowHours: number;
  reviewWindowHours: number;
  reopenResolveDays: number;
}

/**
 * The run's one clock for the steps time drives (auto-release, the payment window, bidding
 * close, a warranty running out, a reopened job left unresolved). Both server processes share it
 * because it lives where they both read time-driven state: the database. Letting a window pass
 * for a request moves that request's instants back by the window (plus a minute) — as if it had
 * been that long — and makes its pg-boss timer due now. The timer then fires in whichever process
 * polls first, and the app's own guard (now ≥ the instant, under the row lock) decides; nothing
 * is applied by the driver itself.
 */
export class ScenarioClock {
  /** Windows let pass, and timers found missing (a request in the state, without its timer job). */
  readonly counts = { elapsed: 0, missingTimers: 0 };

  constructor(
    private readonly pool: Pool,
    private readonly settings: WindowSettings,
  ) {}

  /** Lets `window` pass for the request; false when the request is not in that window's state or has no timer to fire. */
  async elapse(requestId: string, window: ElapsedWindow): Promise<boolean> {
    const spec = WINDOWS[window];
    const back = spec.back(this.settings);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const moved = await client.query(`UPDATE help_requests r SET ${spec.columns.map((c) => `${c} = ${c} - ${back}`).join(', ')} WHERE id = $1 AND status = $2 RETURNING r.warranty_days`, [
        requestId,
        spec.status,
      ]);
      if (moved.rowCount !== 1) {
        await client.query('ROLLBACK');
        return false;
      }
      if (spec.escrowColumns) {
        const sets = spec.escrowColumns.map((c) => `${c} = ${c} - make_interval(days => $2::int, mins => 1)`).join(', ');
        await client.query(`UPDATE escrows SET ${sets} WHERE request_id = $1 AND warranty_ends_at IS NOT NULL`, [requestId, moved.rows[0].warranty_days]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    const due = await this.pool.query(
      `UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND data->>'requestId' = $2 AND state IN ('created', 'retry')`,
      [TIMER_JOBS[window], requestId],
    );
    this.counts.elapsed += 1;
    if (!due.rowCount) this.counts.missingTimers += 1;
    return Boolean(due.rowCount);
  }
}

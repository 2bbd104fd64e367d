import { Pool } from 'pg';
import { TIMER_JOBS } from '../src/requests/request-lifecycle.service';

/** The timers the run moves time for. */
export type ElapsedWindow = 'payment_window_lapse' | 'auto_release' | 'expire';

/** Per window: the request's instants that move back, and by how much. */
const WINDOWS: Record<ElapsedWindow, { columns: string[]; hours: (settings: WindowSettings) => number; status: string }> = {
  payment_window_lapse: { columns: ['accepted_at'], hours: (s) => s.paymentWindowHours, status: 'awaiting_payment' },
  auto_release: { columns: ['resolved_at', 'review_due_at'], hours: (s) => s.reviewWindowHours, status: 'resolved' },
  expire: { columns: ['created_at', 'bidding_closes_at'], hours: () => 72, status: 'open' },
};

export interface WindowSettings {
  paymentWindowHours: number;
  reviewWindowHours: number;
}

/**
 * The run's one clock for the steps time drives (auto-release, the payment window, bidding
 * close). Both server processes share it because it lives where they both read time-driven
 * state: the database. Letting a window pass for a request moves that request's instants back
 * by the window (plus a minute) — as if it had been that long — and makes its pg-boss timer due
 * now. The timer then fires in whichever process polls first, and the app's own guard (now ≥ the
 * instant, under the row lock) decides; nothing is applied by the driver itself.
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
    const sets = spec.columns.map((c) => `${c} = ${c} - make_interval(hours => $2, mins => 1)`).join(', ');
    const moved = await this.pool.query(`UPDATE help_requests SET ${sets} WHERE id = $1 AND status = $3`, [requestId, spec.hours(this.settings), spec.status]);
    if (moved.rowCount !== 1) return false;
    const due = await this.pool.query(
      `UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND data->>'requestId' = $2 AND state IN ('created', 'retry')`,
      [TIMER_JOBS[window], requestId],
    );
    this.counts.elapsed += 1;
    if (!due.rowCount) this.counts.missingTimers += 1;
    return Boolean(due.rowCount);
  }
}

import { Pool } from 'pg';

/** What a job waits on: its request and newest escrow, read together in one query for every job. */
export interface DealState {
  status: string;
  autoReleased: boolean;
  escrowStatus: string | null;
  payoutStatus: string | null;
  chargebackStatus: string | null;
  frozen: boolean;
  chargeId: string | null;
  paymentIntentId: string | null;
  /** Open disputes' kinds. */
  openDisputes: string[];
  /** Refunds decided and not made at Stripe yet. */
  pendingRefunds: number;
  /** Stripe ids of the refunds made, newest last. */
  refundIds: string[];
  /** Refunds that failed (at Stripe, or refused). */
  failedRefunds: number;
  /** Failed refunds written off: owed to the customer. */
  unclaimedAmount: number;
  /** 1, then 2 after a warranty reopen. */
  round: number;
  /** The request's warranty still runs (its warranty_release timer is what moves it next). */
  warrantyRunning: boolean;
  warrantyStatus: string | null;
  holdbackPayoutStatus: string | null;
  partnerPayoutStatus: string | null;
}

interface Waiter {
  requestId: string;
  test: (state: DealState) => boolean;
  done: (state: DealState) => void;
}

const STATE_SQL = `
  SELECT r.id, r.status, r.auto_released, r.round, r.warranty_ends_at IS NOT NULL AS warranty_running,
         e.warranty_status, e.holdback_payout_status, e.partner_payout_status, e.status AS escrow_status, e.payout_status, e.chargeback_status, e.frozen, e.charge_id, e.payment_intent_id, e.unclaimed_amount,
         (SELECT count(*)::int FROM escrow_refunds f WHERE f.escrow_id = e.id AND f.status = 'failed') AS failed_refunds,
         COALESCE((SELECT array_agg(d.kind::text) FROM disputes d WHERE d.request_id = r.id AND d.status = 'open'), '{}') AS open_disputes,
         (SELECT count(*)::int FROM escrow_refunds f WHERE f.escrow_id = e.id AND f.status = 'pending') AS pending_refunds,
         COALESCE((SELECT array_agg(f.stripe_refund_id ORDER BY f.created_at) FROM escrow_refunds f WHERE f.escrow_id = e.id AND f.stripe_refund_id IS NOT NULL), '{}') AS refund_ids
    FROM help_requests r
    LEFT JOIN LATERAL (SELECT * FROM escrows x WHERE x.request_id = r.id ORDER BY x.created_at DESC, x.id DESC LIMIT 1) e ON true
   WHERE r.id = ANY($1::uuid[])`;

/**
 * The jobs' eyes: each job acts through the API and the SDK, then waits here for the app to
 * catch up (webhooks applied, timers fired, payouts made). One query every 200 ms serves every
 * waiting job, instead of 200 jobs polling the API. The database is read, never written.
 */
export class DealWatch {
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(private readonly pool: Pool) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), 200);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Resolves with the state once `test` holds; fails after `timeoutMs` with the last state seen. */
  until(requestId: string, what: string, test: (state: DealState) => boolean, timeoutMs = 90_000): Promise<DealState> {
    let last: DealState | undefined;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        requestId,
        test: (state) => {
          last = state;
          return test(state);
        },
        done: (state) => {
          clearTimeout(timer);
          resolve(state);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(last ?? null)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async now(requestId: string): Promise<DealState> {
    const [state] = (await this.read([requestId])).values();
    return state;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.waiters.length === 0) return;
    this.polling = true;
    try {
      const states = await this.read([...new Set(this.waiters.map((w) => w.requestId))]);
      for (const waiter of [...this.waiters]) {
        const state = states.get(waiter.requestId);
        if (state && waiter.test(state)) {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          waiter.done(state);
        }
      }
    } catch {
      // The next tick tries again.
    } finally {
      this.polling = false;
    }
  }

  private async read(ids: string[]): Promise<Map<string, DealState>> {
    const { rows } = await this.pool.query<Record<string, unknown>>(STATE_SQL, [ids]);
    return new Map(
      rows.map((r) => [
        String(r.id),
        {
          status: String(r.status),
          autoReleased: r.auto_released === true,
          escrowStatus: (r.escrow_status as string | null) ?? null,
          payoutStatus: (r.payout_status as string | null) ?? null,
          chargebackStatus: (r.chargeback_status as string | null) ?? null,
          frozen: r.frozen === true,
          chargeId: (r.charge_id as string | null) ?? null,
          paymentIntentId: (r.payment_intent_id as string | null) ?? null,
          openDisputes: r.open_disputes as string[],
          pendingRefunds: Number(r.pending_refunds ?? 0),
          refundIds: r.refund_ids as string[],
          failedRefunds: Number(r.failed_refunds ?? 0),
          unclaimedAmount: Number(r.unclaimed_amount ?? 0),
          round: Number(r.round ?? 1),
          warrantyRunning: r.warranty_running === true,
          warrantyStatus: (r.warranty_status as string | null) ?? null,
          holdbackPayoutStatus: (r.holdback_payout_status as string | null) ?? null,
          partnerPayoutStatus: (r.partner_payout_status as string | null) ?? null,
        },
      ]),
    );
  }
}

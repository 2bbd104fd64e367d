import Stripe from 'stripe';
import { TestUser } from './factories';
import { platformStripe } from './stripe';
import { TestApp } from './test-app';
import { waitFor } from './wait';

/**
 * Read-only looks at what a deal left behind: rows in the app's database, the admin ledger
 * report, and the objects at the sandbox. Specs assert on these; nothing here changes state.
 */

export type Row = Record<string, unknown>;

export async function statusOf(t: TestApp, requestId: string): Promise<string> {
  const [row] = (await t.ds.query(`SELECT status FROM help_requests WHERE id = $1`, [requestId])) as Array<{ status: string }>;
  return row.status;
}

export async function escrowRow(t: TestApp, escrowId: string): Promise<Row> {
  const [row] = (await t.ds.query(`SELECT * FROM escrows WHERE id = $1`, [escrowId])) as Row[];
  return row;
}

/** Waits until the escrow row has every column value in `match` (e.g. `{ status: 'held' }`, `{ payout_status: 'paid' }`). */
export async function waitForEscrow(t: TestApp, escrowId: string, match: Row, timeoutMs?: number): Promise<Row> {
  return waitFor(`escrow ${JSON.stringify(match)}`, async () => {
    const row = await escrowRow(t, escrowId);
    return Object.entries(match).every(([column, value]) => row[column] === value) ? row : undefined;
  }, timeoutMs);
}

export async function payoutStatusOf(t: TestApp, expertId: string): Promise<string | undefined> {
  const [row] = (await t.ds.query(`SELECT status FROM payout_accounts WHERE user_id = $1`, [expertId])) as Array<{ status: string }>;
  return row?.status;
}

/** The request's event types, oldest first; with `type`, only those (count them with `.length`). */
export async function eventTypes(t: TestApp, requestId: string, type?: string): Promise<string[]> {
  const rows = (await t.ds.query(`SELECT type FROM events WHERE request_id = $1 AND ($2::text IS NULL OR type = $2) ORDER BY sequence`, [
    requestId,
    type ?? null,
  ])) as Array<{ type: string }>;
  return rows.map((r) => r.type);
}

export async function disputeIdOf(t: TestApp, requestId: string): Promise<string> {
  const [row] = (await t.ds.query(`SELECT id FROM disputes WHERE request_id = $1`, [requestId])) as Array<{ id: string }>;
  return row.id;
}

/** Ledger transactions of one kind for a request (e.g. exactly one 'release'). */
export async function ledgerTxnCount(t: TestApp, requestId: string, kind: string): Promise<number> {
  const [row] = (await t.ds.query(`SELECT count(*)::int AS n FROM ledger_transactions WHERE request_id = $1 AND kind = $2`, [requestId, kind])) as Array<{ n: number }>;
  return row.n;
}

/** The escrow's ledger balance per account, e.g. `{ customer_funds: -2100, escrow_held: 0, refunded: 2100 }`. */
export async function ledgerBalances(t: TestApp, escrowId: string): Promise<Record<string, number>> {
  const rows = (await t.ds.query(`SELECT account, sum(amount)::int AS total FROM ledger_entries WHERE escrow_id = $1 GROUP BY account`, [escrowId])) as Array<{
    account: string;
    total: number;
  }>;
  return Object.fromEntries(rows.map((r) => [r.account, r.total]));
}

export interface LedgerReport {
  ok: boolean;
  balances: Record<string, Record<string, number>>;
  violations: Array<{ code: string; message: string }>;
}

/** GET /v1/admin/ledger as `admin`. */
export async function ledgerReport(t: TestApp, admin: TestUser): Promise<LedgerReport> {
  const res = await t.http.get('/v1/admin/ledger').set('authorization', admin.auth);
  if (res.status !== 200) throw new Error(`ledger: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as LedgerReport;
}

/** Every Transfer the sandbox made for this request (transfer_group = request id). */
export async function transfersOf(t: TestApp, requestId: string): Promise<Stripe.Transfer[]> {
  return (await platformStripe(t).transfers.list({ transfer_group: requestId, limit: 100 })).data;
}

export async function refundsOf(t: TestApp, paymentIntentId: string): Promise<Stripe.Refund[]> {
  return (await platformStripe(t).refunds.list({ payment_intent: paymentIntentId, limit: 100 })).data;
}

import { EntityManager, QueryRunner } from 'typeorm';

/**
 * The one lock order. Every transaction takes its row locks in this order — a table may be
 * skipped, never taken after one below it — so two transactions never wait on each other in a
 * circle (a deadlock PostgreSQL would break by failing one of them). Rows of one table are taken
 * in id order. The lifecycles (RequestLifecycle, EscrowLifecycle) take these locks; features
 * call the lifecycles and do not lock rows themselves.
 *
 *   help_requests → quota (advisory, per user) → escrows → bids → disputes → reviews
 *     → escrow_refunds → payout_accounts → partner_payout_accounts → expert_profiles
 *
 * Why this order: every use case of a request starts at the request row; money (escrows) is
 * decided before the bids that follow the money (funding rejects them, a lapse reinstates one);
 * the dispute and review of a request come after its money; refunds belong to their escrow;
 * the expert's counters and the payout accounts (an expert's, a partner's) are touched last, by
 * many requests. A request's pairings (request_matches, the expert feed's index) are written by
 * triggers after the row that moves them — a request entering or leaving `open`, a new bid — and
 * by matching under the expert's profile lock (a profile save) or for a request not yet committed
 * (a post); see src/requests/feed-index.ts for why that order cannot close a circle. An expert's expert_skill_reputation rows (and the dedupe flag of a review the
 * same transaction inserted) are written only under that expert's expert_profiles lock
 * (src/experts/reputation.store.ts), so they need no place of their own.
 */
export const LOCK_ORDER = [
  'help_requests',
  'quota',
  'escrows',
  'bids',
  'disputes',
  'reviews',
  'escrow_refunds',
  'payout_accounts',
  'partner_payout_accounts',
  'expert_profiles',
] as const;
export type LockedTable = (typeof LOCK_ORDER)[number];

const RANK: Record<LockedTable, number> = Object.fromEntries(LOCK_ORDER.map((t, i) => [t, i])) as Record<LockedTable, number>;

/** A path took a lock out of order: a bug in our code that could deadlock under load. */
export class LockOrderError extends Error {
  constructor(taking: LockedTable, after: LockedTable) {
    super(`Lock order broken: ${taking} taken after ${after} (order: ${LOCK_ORDER.join(' → ')})`);
    this.name = 'LockOrderError';
  }
}

interface Held {
  highest: LockedTable;
  rows: Set<string>;
}

/** What each open transaction holds, by its query runner (one per transaction, dropped with it). */
const held = new WeakMap<QueryRunner, Held>();

function runnerOf(em: EntityManager): QueryRunner {
  if (!em.queryRunner?.isTransactionActive) throw new Error('row locks are taken inside withTransaction()');
  return em.queryRunner;
}

/**
 * Records that this transaction locks `table` rows `ids` (explicitly, or implicitly by an UPDATE)
 * and refuses a lock out of order. A row this transaction already holds may be taken again.
 */
export function noteLock(em: EntityManager, table: LockedTable, ids: readonly string[] = []): void {
  const runner = runnerOf(em);
  const state = held.get(runner);
  if (!state) {
    held.set(runner, { highest: table, rows: new Set(ids.map((id) => `${table}:${id}`)) });
    return;
  }
  const fresh = ids.length === 0 || ids.some((id) => !state.rows.has(`${table}:${id}`));
  if (fresh && RANK[table] < RANK[state.highest]) throw new LockOrderError(table, state.highest);
  if (RANK[table] > RANK[state.highest]) state.highest = table;
  for (const id of ids) state.rows.add(`${table}:${id}`);
}

/**
 * A row this transaction just inserted: nobody else can see it before commit, so holding it is no
 * contended lock and breaks no order; later writes to it in this transaction are writes to a held row.
 */
export function noteInserted(em: EntityManager, table: LockedTable, id: string): void {
  const runner = runnerOf(em);
  const state = held.get(runner) ?? { highest: LOCK_ORDER[0], rows: new Set<string>() };
  state.rows.add(`${table}:${id}`);
  held.set(runner, state);
}

/** Whether this transaction already holds the row lock of `table` row `id`. */
export function holdsLock(em: EntityManager, table: LockedTable, id: string): boolean {
  const runner = em.queryRunner;
  return Boolean(runner && held.get(runner)?.rows.has(`${table}:${id}`));
}

/** Each locked table's primary key: rows are taken in its order. */
const KEYS: Record<Exclude<LockedTable, 'quota'>, string> = {
  help_requests: 'id',
  escrows: 'id',
  bids: 'id',
  disputes: 'id',
  reviews: 'id',
  escrow_refunds: 'id',
  payout_accounts: 'user_id',
  partner_payout_accounts: 'partner_id',
  expert_profiles: 'user_id',
};

/**
 * `SELECT * FROM <table> WHERE <column> = ANY($1) <extra.where> ORDER BY id FOR UPDATE`: the rows,
 * locked in key order, in the one lock order (`extra.where` numbers its parameters from $2).
 * Returns raw rows (column names); see hydrate() for entities.
 */
export async function lockRows(
  em: EntityManager,
  table: Exclude<LockedTable, 'quota'>,
  column: string,
  values: readonly string[],
  extra: { where: string; params: unknown[] } = { where: '', params: [] },
): Promise<Array<Record<string, unknown>>> {
  if (values.length === 0) return [];
  const key = KEYS[table];
  // By key the rows are known up front: taking one this transaction already holds is no new lock.
  noteLock(em, table, column === key ? values : []);
  const rows = (await em.query(
    `SELECT * FROM ${table} WHERE ${column} = ANY($1::uuid[]) ${extra.where} ORDER BY ${key} FOR UPDATE`,
    [values, ...extra.params],
  )) as Array<Record<string, unknown>>;
  noteLock(em, table, rows.map((r) => String(r[key])));
  return rows;
}

/**
 * A transaction-scoped advisory lock serialising one user's quota checks (requests, bids,
 * disputes), taken after the request row and before any money or bid row.
 */
export async function lockQuota(em: EntityManager, scope: string, userId: string): Promise<void> {
  noteLock(em, 'quota');
  await em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))`, [scope, userId]);
}

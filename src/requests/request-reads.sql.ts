/**
 * The SQL of the hot request reads (GET /v1/requests, with and without `q`, and GET
 * /v1/requests/:id): one statement each, visibility (API1) inside it, built per shape (which
 * filters are present) so each shape is one named prepared statement. Plain TypeScript: the
 * service runs what this returns on the pool (src/database/prepared.ts).
 *
 * Search ranks a bounded candidate set, the same size whatever the number of matches: the
 * SEARCH_CANDIDATES newest matches in the caller's scope (filters applied), found by probing the
 * full-text index hour by hour, newest first (it keys rows by creation hour), and, for each of
 * the query's first SEARCH_TERM_LISTS words, the SEARCH_STRONGEST open requests that word is
 * strongest in (request_search_terms: the word's own ts_rank in each request, one index range).
 * Those are ranked by ts_rank. Paging keeps the set it started with: the cursor carries the newest
 * set's oldest member (the horizon) and the first page's time (the lists' cut-off).
 */
import type { RequestFields } from './dto/request.response';
import { requestColumns } from './request-row';
import type { Reader } from './request-rules';

/** How many of the newest matches are ranked (the README's "relevance"). */
export const SEARCH_CANDIDATES = 200;
/** How many of each word's strongest matches are ranked besides. */
export const SEARCH_STRONGEST = 100;
/** How many of the query's words bring the requests they are strongest in. */
export const SEARCH_TERM_LISTS = 3;
/** Hours probed one by one (the default bidding window); older matches come from one last scan. */
export const SEARCH_PROBE_HOURS = 72;

export interface BuiltQuery {
  /** Stable for a shape: the statement's text; the name derives from it. */
  readonly text: string;
  readonly values: unknown[];
}

export interface RequestFilters {
  status?: string;
  category?: string;
  minBudget?: number;
  currency?: string;
}

/** A row of any of these statements: the fields RequestResponse shows, plus the keyset key. */
export type RequestRow = RequestFields & { sortKey: string };
export type SearchRow = RequestRow & { horizonAt: string; horizonId: string; listsAt: string };

/** Where a ranked list's candidate set ends: its oldest member at the first page. */
export interface SearchHorizon {
  at: string;
  id: string;
}

const COLUMNS = requestColumns('r');

/** Collects values and hands out typed placeholders, in the order the text uses them. */
class Values {
  readonly list: unknown[] = [];
  add(value: unknown, type: string): string {
    this.list.push(value);
    return `$${this.list.length}::${type}`;
  }
}

/** API1 as SQL: a customer their own, an expert open ones, an admin all, a partner as itself none. */
function scope(reader: Reader, v: Values): string[] {
  switch (reader.role) {
    case 'customer':
      return [`r.customer_id = ${v.add(reader.userId, 'uuid')}`];
    case 'expert':
      return [`r.status = 'open'`];
    case 'admin':
      return [];
    default:
      return ['FALSE'];
  }
}

function filtered(reader: Reader, f: RequestFilters, v: Values): string[] {
  const conds = scope(reader, v);
  if (f.status !== undefined) conds.push(`r.status = ${v.add(f.status, 'text')}`);
  if (f.category !== undefined) conds.push(`r.category = ${v.add(f.category, 'text')}`);
  if (f.minBudget !== undefined) conds.push(`r.max_budget_amount >= ${v.add(f.minBudget, 'int')}`);
  if (f.currency !== undefined) conds.push(`r.max_budget_currency = ${v.add(f.currency, 'text')}`);
  return conds;
}

const where = (conds: string[]) => (conds.length ? conds.join(' AND ') : 'TRUE');

/**
 * One request if the reader may see it (the owner, admins, experts while it is open or once they
 * bid on it), else no row: the same 404 for "not there" and "not yours".
 */
export function requestDetailQuery(reader: Reader, id: string): BuiltQuery {
  const text = `SELECT ${COLUMNS}, '' AS "sortKey" FROM help_requests r
WHERE r.id = $1::uuid AND CASE $2::text
  WHEN 'admin' THEN TRUE
  WHEN 'customer' THEN r.customer_id = $3::uuid
  WHEN 'expert' THEN r.status = 'open' OR EXISTS (SELECT 1 FROM bids b WHERE b.request_id = r.id AND b.expert_id = $3::uuid)
  ELSE FALSE END`;
  return { text, values: [id, reader.role, reader.userId || null] };
}

/** Newest first, keyset (created_at, id); `after` is the last row's (created_at as text, id). */
export function requestListQuery(reader: Reader, f: RequestFilters, limit: number, after?: { sort: string; id: string }): BuiltQuery {
  const v = new Values();
  const conds = filtered(reader, f, v);
  if (after) conds.push(`(r.created_at, r.id) < (${v.add(after.sort, 'timestamptz')}, ${v.add(after.id, 'uuid')})`);
  const text = `SELECT ${COLUMNS}, r.created_at::text AS "sortKey" FROM help_requests r
WHERE ${where(conds)}
ORDER BY r.created_at DESC, r.id DESC
LIMIT ${v.add(limit + 1, 'int')}`;
  return { text, values: v.list };
}

export interface SearchPosition {
  rank: string;
  id: string;
  horizon: SearchHorizon;
  /** The first page's time: the word lists count only requests created by then (absent in older cursors). */
  listsAt?: string;
}

/**
 * Ranked search over the bounded candidate set. `after` continues a list with the same candidates
 * as its first page: the newest set is those at or after its horizon (any newer match made
 * meanwhile included, at most twice the set); a word's list is the same index range cut at the
 * first page's time (newer requests are in the newest set already). Rows strictly after (rank, id)
 * in descending order.
 */
export function requestSearchQuery(reader: Reader, f: RequestFilters, q: string, limit: number, after?: SearchPosition): BuiltQuery {
  const v = new Values();
  const conds = filtered(reader, f, v);
  const text = v.add(q, 'text');
  const tsq = `(SELECT websearch_to_tsquery('english', ${text}))`;
  const horizon = after ? { at: v.add(after.horizon.at, 'timestamptz'), id: v.add(after.horizon.id, 'uuid') } : undefined;
  const sinceHorizon = horizon ? ` AND (r.created_at, r.id) >= (${horizon.at}, ${horizon.id})` : '';
  const cap = String(after ? 2 * SEARCH_CANDIDATES : SEARCH_CANDIDATES);
  const matching = `${where(conds)} AND r.search @@ ${tsq}`;
  const matches = `${matching}${sinceHorizon}`;
  const listsAt = after?.listsAt === undefined ? 'now()' : v.add(after.listsAt, 'timestamptz');
  const cutOff = after?.listsAt === undefined ? '' : ` AND t.created_at <= ${listsAt}`;
  // A customer's own requests are few: walk them newest first. Everyone else: probe by hour, and
  // add the requests each word is strongest in (open ones: the only ones the lists keep).
  const customer = reader.role === 'customer';
  const newest = customer
    ? `SELECT r.id, r.search, r.created_at FROM help_requests r WHERE ${matches}
    ORDER BY r.created_at DESC, r.id DESC LIMIT ${cap}`
    : probedCandidates(matches, cap, horizon?.at);
  const strongest = customer
    ? ''
    : `
  UNION ALL
  SELECT r.id, r.search
  FROM (SELECT DISTINCT t.request_id
        FROM (SELECT w.lexeme FROM unnest(tsvector_to_array(to_tsvector('english', ${text}))) AS w(lexeme) LIMIT ${SEARCH_TERM_LISTS}) w
        CROSS JOIN LATERAL (SELECT t.request_id FROM request_search_terms t WHERE t.lexeme = w.lexeme${cutOff}
          ORDER BY t.strength DESC, t.created_at DESC, t.request_id DESC LIMIT ${SEARCH_STRONGEST}) t
        WHERE t.request_id NOT IN (SELECT n.id FROM newest n)) s
  JOIN help_requests r ON r.id = s.request_id
  WHERE ${matching}`;
  const keyset = after ? `WHERE (c.rank, c.id) < (${v.add(after.rank, 'real')}, ${v.add(after.id, 'uuid')})` : '';
  const sql = `WITH newest AS (
  ${newest}
), candidates AS (
  SELECT n.id, n.search FROM newest n${strongest}
), ranked AS (
  SELECT c.id, c.rank FROM (SELECT id, ts_rank(search, ${tsq}) AS rank FROM candidates) c ${keyset}
  ORDER BY c.rank DESC, c.id DESC LIMIT ${v.add(limit + 1, 'int')}
)
SELECT ${COLUMNS}, ranked.rank::text AS "sortKey", horizon.at AS "horizonAt", horizon.id AS "horizonId", ${listsAt}::text AS "listsAt"
FROM ranked JOIN help_requests r ON r.id = ranked.id
LEFT JOIN (SELECT n.created_at::text AS at, n.id::text AS id FROM newest n ORDER BY n.created_at, n.id LIMIT 1) horizon ON TRUE
ORDER BY ranked.rank DESC, ranked.id DESC`;
  return { text: sql, values: v.list };
}

/**
 * The newest `cap` matches: one index probe per hour (matches ∩ created in that hour), newest hour
 * first, then, as the series' last step, one scan of whatever is older than the probed hours.
 * The nested loop follows the series in order and the LIMIT stops it once it has its rows, so a
 * common word costs a few probes; the last scan runs only if the probes fell short (and, when
 * continuing a list, only if its horizon lies that far back).
 */
function probedCandidates(matches: string, cap: string, horizonAt?: string): string {
  const nowHour = 'help_requests_search_hour(now())';
  const oldestProbed = `${nowHour} - ${SEARCH_PROBE_HOURS - 1}`;
  const lowest = horizonAt ? `greatest(${oldestProbed}, help_requests_search_hour(${horizonAt}))` : `(${oldestProbed})`;
  const probedFrom = `to_timestamp((${oldestProbed})::float8 * 3600)`;
  const reachesBack = horizonAt ? ` AND ${horizonAt} < ${probedFrom}` : '';
  return `SELECT x.id, x.search, x.created_at FROM generate_series(${nowHour}, ${lowest} - 1, -1) AS h(hour)
  CROSS JOIN LATERAL (
    (SELECT r.id, r.search, r.created_at FROM help_requests r
      WHERE h.hour >= ${lowest} AND ${matches} AND help_requests_search_hour(r.created_at) = h.hour
      ORDER BY r.created_at DESC, r.id DESC)
    UNION ALL
    (SELECT r.id, r.search, r.created_at FROM help_requests r
      WHERE h.hour < ${lowest}${reachesBack} AND ${matches} AND r.created_at < ${probedFrom}
      ORDER BY r.created_at DESC, r.id DESC)) x
  LIMIT ${cap}`;
}

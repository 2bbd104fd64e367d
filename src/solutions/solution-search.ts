import { RANKING, TermGroup, tsqueryOf } from './domain/search-plan';

/**
 * The scoring SQL of a search plan (domain/search-plan.ts), as CTEs ending in `scored (id, score)`
 * over published solutions. Each group matches a solution's title, summary and category parts
 * of `solution_search` (weights A, B, C, taken apart with ts_filter); a group scores the best of
 * its direct words and, at RANKING.related, its other words. Candidates come from the partial
 * GIN index (published only), one index probe per group.
 *
 *  - `points`: the sum over groups, ×100 rounded — an integer that depends only on the solution
 *    and the query, so a list's cursor stays valid while others publish (P3).
 *  - `rarity`: each group's points weighted by how rare it is among published solutions
 *    (BM25's idf, ln(1 + (N − n + 0.5)/(n + 0.5))), so "laptop" counts less than "offline".
 *    For the top few (similar drafts), where no cursor is kept.
 */
export type Scoring = 'points' | 'rarity';

export interface ScoredSql {
  /** `WITH ... scored AS (...)` — append the final SELECT. */
  readonly with: string;
  readonly params: unknown[];
}

/** One group per word that yields a query; null when no word does. */
function groupQueries(groups: readonly TermGroup[]): { exact: string[]; related: Array<string | null>; any: string[] } | null {
  const rows = groups
    .map((g) => ({ exact: tsqueryOf(g.exact), related: tsqueryOf(g.related), any: tsqueryOf([...g.exact, ...g.related]) }))
    .filter((g): g is { exact: string; related: string | null; any: string } => g.exact !== null && g.any !== null);
  if (rows.length === 0) return null;
  return { exact: rows.map((r) => r.exact), related: rows.map((r) => r.related), any: rows.map((r) => r.any) };
}

/** The CTEs scoring `groups`; parameters start at $1. Null when the plan has nothing to look for. */
export function scoredSql(groups: readonly TermGroup[], scoring: Scoring): ScoredSql | null {
  const queries = groupQueries(groups);
  if (!queries) return null;
  const fieldPoints = (query: string) =>
    `(f.title @@ ${query})::int * $4::float8 + (f.summary @@ ${query})::int * $5::float8 + (f.category @@ ${query})::int * $6::float8`;
  const scored =
    scoring === 'points'
      ? `scored AS (SELECT id, round(sum(points) * 100)::int AS score FROM hits GROUP BY id)`
      : `df AS (SELECT i, count(*)::float8 AS n FROM hits GROUP BY i),
         corpus AS (SELECT count(*)::float8 AS n FROM help_requests WHERE published_at IS NOT NULL),
         scored AS (
           SELECT h.id, sum(h.points * ln(1 + (c.n - df.n + 0.5) / (df.n + 0.5))) AS score
             FROM hits h JOIN df USING (i) CROSS JOIN corpus c
            GROUP BY h.id)`;
  return {
    with: `WITH groups AS (
        SELECT g.i, to_tsquery('fixbid_english', g.exact) AS exact, to_tsquery('fixbid_english', g.related) AS related,
               to_tsquery('fixbid_english', g.anyq) AS anyq
          FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS g(exact, related, anyq, i)
      ),
      hits AS (
        SELECT g.i, r.id,
               greatest(${fieldPoints('g.exact')}, coalesce(${fieldPoints('g.related')}, 0) * $7::float8) AS points
          FROM groups g
          JOIN help_requests r ON r.published_at IS NOT NULL AND r.solution_search @@ g.anyq
          CROSS JOIN LATERAL (
            SELECT ts_filter(r.solution_search, '{a}') AS title, ts_filter(r.solution_search, '{b}') AS summary,
                   ts_filter(r.solution_search, '{c}') AS category
          ) f
      ),
      ${scored}`,
    params: [queries.exact, queries.related, queries.any, RANKING.title, RANKING.summary, RANKING.category, RANKING.related],
  };
}

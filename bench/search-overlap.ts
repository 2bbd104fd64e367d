/**
 * How much ranking a bounded candidate set (src/requests/request-reads.sql.ts: the newest matches
 * and each word's strongest) changes the top of search: for each word, the first 10 results an
 * expert gets against the first 10 of the full ranking it replaced (ts_rank over every open
 * match, ties by id descending).
 *
 * - overlapAt10: the share of the full ranking's top 10 that the new top 10 also shows.
 * - tieAwareAt10: the share of the new top 10 that ranks at least as high as the full ranking's
 *   10th result, i.e. could have been in its top 10. ts_rank ties a lot (the same word once in the
 *   title and once in the description scores the same in every request), and the full ranking
 *   broke those ties by uuid, which means nothing; this figure counts what a reader can tell.
 *
 * `node dist/bench/search-overlap.js` on a database given by BENCH_DATABASE_URL (seeded, e.g. the
 * bench's) prints both for SEARCH_TERMS; `searchOverlap()` is what `npm run bench` can call.
 */
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { poolOf } from '../src/database/prepared';
import { requestSearchQuery, SEARCH_CANDIDATES, SEARCH_STRONGEST } from '../src/requests/request-reads.sql';
import { SEARCH_TERMS } from './words';

export interface SearchOverlap {
  words: number;
  /** Mean over the words of |new top 10 ∩ full top 10| / |full top 10|. */
  overlapAt10: number;
  /** Mean over the words of the share of the new top 10 whose rank ≥ the full ranking's 10th. */
  tieAwareAt10: number;
  /** How many newest matches are ranked. */
  candidates: number;
  /** How many of each word's strongest are ranked besides. */
  strongest: number;
}

const FULL_RANKING = `
SELECT r.id::text AS id, ts_rank(r.search, websearch_to_tsquery('english', $1)) AS rank
FROM help_requests r WHERE r.status = 'open' AND r.search @@ websearch_to_tsquery('english', $1)
ORDER BY 2 DESC, 1 DESC LIMIT 10`;

/** An expert: open requests only, as the benchmark searches. */
const EXPERT = { role: 'expert' as const, userId: '00000000-0000-4000-8000-000000000000' };

export async function searchOverlap(db: Pool | DataSource, words: readonly string[] = SEARCH_TERMS): Promise<SearchOverlap> {
  const pool = db instanceof DataSource ? poolOf(db) : db;
  let overlap = 0;
  let tieAware = 0;
  let counted = 0;
  for (const word of words) {
    const full = (await pool.query<{ id: string; rank: number }>(FULL_RANKING, [word])).rows;
    if (full.length === 0) continue;
    const built = requestSearchQuery(EXPERT, {}, word, 10);
    const fresh = (await pool.query<{ id: string; sortKey: string }>(built.text, built.values)).rows.slice(0, 10);
    const fullIds = new Set(full.map((r) => r.id));
    const tenth = full[full.length - 1].rank;
    overlap += fresh.filter((r) => fullIds.has(r.id)).length / full.length;
    // Both ranks are float4 printed exactly (the new one as text), so >= compares like for like.
    tieAware += fresh.filter((r) => Number(r.sortKey) >= tenth).length / full.length;
    counted++;
  }
  const mean = (sum: number) => (counted ? sum / counted : 1);
  return { words: counted, overlapAt10: mean(overlap), tieAwareAt10: mean(tieAware), candidates: SEARCH_CANDIDATES, strongest: SEARCH_STRONGEST };
}

if (require.main === module) {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    process.stderr.write('BENCH_DATABASE_URL must name a seeded database\n');
    process.exit(2);
  }
  const pool = new Pool({ connectionString: url, max: 1 });
  searchOverlap(pool)
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .finally(() => pool.end())
    .catch((err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    });
}

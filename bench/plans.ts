/**
 * The plans of the hot reads at the seeded scale (issue 11 §3, §4): EXPLAIN (ANALYZE, BUFFERS) of
 * the expert feed's first page for the expert with the most showable pairings, and of search for
 * the benchmark's commonest and rarest words — the same SQL the routes run. Printed by
 * `npm run bench` (BENCH_PLANS=0 turns it off), so a run at BENCH_SEED_SCALE=10 shows them at 1M.
 */
import { Pool } from 'pg';
import { FEED_FIRST } from '../src/matching/expert-feed.service';
import { requestSearchQuery } from '../src/requests/request-reads.sql';

const EXPERT = { role: 'expert' as const, userId: '00000000-0000-4000-8000-000000000000' };

export interface PlanSummary {
  label: string;
  executionMs: number;
  /** Relations read by a sequential scan (none expected). */
  seqScans: string[];
  text: string;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

async function explain(pool: Pool, label: string, sql: string, values: unknown[]): Promise<PlanSummary> {
  await pool.query(sql, values); // warm: the routes run warm
  const json = (await pool.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, values)).rows[0]['QUERY PLAN'][0];
  const text = (await pool.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, values)).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
  const seqScans = nodes(json.Plan as PlanNode).filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name'] ?? '?');
  return { label, executionMs: json['Execution Time'] as number, seqScans, text };
}

export async function hotReadPlans(url: string, words: readonly string[]): Promise<PlanSummary[]> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const [busiest] = (
      await pool.query<{ expert_id: string; n: number }>(
        `SELECT expert_id, count(*)::int AS n FROM request_matches WHERE feed_until IS NOT NULL GROUP BY expert_id ORDER BY 2 DESC LIMIT 1`,
      )
    ).rows;
    const plans: PlanSummary[] = [];
    if (busiest) plans.push(await explain(pool, `feed, first page of 20 (expert with ${busiest.n} showable pairings)`, FEED_FIRST.text, [busiest.expert_id, 21]));
    const counts = await Promise.all(
      words.map(async (w) => ({
        w,
        n: (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM help_requests WHERE status = 'open' AND search @@ websearch_to_tsquery('english', $1)`, [w])).rows[0].n,
      })),
    );
    counts.sort((a, b) => b.n - a.n);
    for (const { w, n } of [counts[0], counts[counts.length - 1]].filter(Boolean)) {
      const built = requestSearchQuery(EXPERT, {}, w, 20);
      plans.push(await explain(pool, `search "${w}" as an expert (${n} open matches)`, built.text, built.values));
    }
    return plans;
  } finally {
    await pool.end();
  }
}

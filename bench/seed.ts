import { Client } from 'pg';
import { dropForLoad, inParallel, loadInOneTransaction, rebuild } from './bulk-load';
import { BIO_SENTENCES, CATEGORY_SLUGS, CONTEXT_SENTENCES, HEADLINES, SUBJECTS, SYMPTOMS, sqlArray } from './words';

export interface SeedSize {
  experts: number;
  customers: number;
  requests: number;
  /** Experts matched to each open request (request_matches rows). */
  matchesPerRequest: number;
}

export function seedSize(scale: number): SeedSize {
  const at = (n: number, min: number) => Math.max(min, Math.round(n * scale));
  return { experts: at(10_000, 50), customers: at(20_000, 50), requests: at(100_000, 200), matchesPerRequest: 20 };
}

export interface SeedCounts {
  users: number;
  experts: number;
  requests: number;
  openRequests: number;
  bids: number;
  matches: number;
}

const ACCEPTED_STATES = `('awaiting_payment','in_progress','resolved','completed','disputed')`;
const CATS = sqlArray(CATEGORY_SLUGS);

/**
 * Ids are a function of (kind, n), shaped as UUID v4, so every statement can name a user or a
 * request by its number without joining a mapping table, and reruns produce the same rows. One
 * expression without FROM, so PostgreSQL inlines it (4 million calls at scale 10).
 */
const UUID_FN = `
CREATE FUNCTION pg_temp.bench_uuid(kind text, n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT overlay(overlay(md5(kind || ':' || n) PLACING '4' FROM 13 FOR 1) PLACING '8' FROM 17 FOR 1)::uuid
$$`;

function usersSql(kind: 'e' | 'c', role: string, label: string): string {
  return `
INSERT INTO users (id, email, display_name, role, password_hash, created_at, updated_at)
SELECT pg_temp.bench_uuid('${kind}', n), '${label}' || n || '@bench.fixbid.test', initcap('${label}') || ' ' || n, '${role}', $1,
       now() - interval '200 days', now() - interval '200 days'
FROM generate_series(1, $2::int) n`;
}

const PROFILES_SQL = `
INSERT INTO expert_profiles (user_id, headline, bio, skills, languages, available, rating_count, rating_sum,
                             reputation_score, completed_jobs, active_jobs, last_active_at, created_at, updated_at)
SELECT pg_temp.bench_uuid('e', n), headline, bio, skills, languages, available, rc, rs,
       -- a spread of scores from the star ratings (5 pseudo-ratings of 3 stars); the benched routes only read them
       round(((15.0 + rs) / (5 + rc) - 1) / 4 * 100)::smallint,
       rc + (n % 4), (n % 7) / 3, now() - random() * interval '14 days', now() - interval '200 days', now()
FROM (
  SELECT n,
         (${sqlArray(HEADLINES)})[1 + n % ${HEADLINES.length}] || ' for ' || (${CATS})[1 + n % 15] AS headline,
         (${sqlArray(BIO_SENTENCES)})[1 + n % ${BIO_SENTENCES.length}] || ' ' || (${sqlArray(BIO_SENTENCES)})[1 + (n / 7) % ${BIO_SENTENCES.length}] AS bio,
         ARRAY(SELECT DISTINCT s FROM unnest(ARRAY[
           (${CATS})[1 + n % 15],
           CASE WHEN n % 3 <> 0 THEN (${CATS})[1 + (n * 7 + 3) % 15] END,
           CASE WHEN n % 5 = 0 THEN (${CATS})[1 + (n * 11 + 5) % 15] END]) s WHERE s IS NOT NULL ORDER BY s) AS skills,
         CASE n % 10 WHEN 0 THEN ARRAY['en','de'] WHEN 1 THEN ARRAY['en','fr'] WHEN 2 THEN ARRAY['es','en'] ELSE ARRAY['en'] END AS languages,
         n % 10 <> 9 AS available,
         rc, (rc * (3 + random() * 2))::int AS rs
  FROM (SELECT n, (random() * 40)::int AS rc FROM generate_series(1, $1::int) n) g
) p`;

/** Each listed skill's reputation row, as a profile save makes it (here as good as the overall score). */
const SKILL_REPUTATION_SQL = `
INSERT INTO expert_skill_reputation (expert_id, skill, score, rep_jobs)
SELECT p.user_id, s.skill, p.reputation_score, p.completed_jobs FROM expert_profiles p CROSS JOIN LATERAL unnest(p.skills) AS s(skill)`;

/** One row per request with every random draw made once; help_requests, bids and matches read it. */
const PLAN_SQL = `
CREATE UNLOGGED TABLE bench_req AS
SELECT n, pg_temp.bench_uuid('r', n) AS id, pg_temp.bench_uuid('c', 1 + (n * 7) % $2::int) AS customer_id,
       cat_idx, (${CATS})[1 + cat_idx] AS category, status,
       CASE WHEN status = 'open' THEN n % 5 WHEN status IN ${ACCEPTED_STATES} THEN 1 + n % 3 ELSE n % 4 END AS bid_count,
       CASE WHEN r3 < 0.8 THEN 2000 + floor(r4 * 48000)::int END AS budget_amount,
       CASE WHEN r3 < 0.8 THEN CASE WHEN r5 < 0.7 THEN 'usd' WHEN r5 < 0.9 THEN 'eur' ELSE 'gbp' END END AS budget_currency,
       CASE WHEN n % 10 < 2 THEN 'urgent' WHEN n % 10 < 8 THEN 'normal' ELSE 'low' END AS urgency,
       CASE n % 20 WHEN 0 THEN 'de' WHEN 1 THEN 'fr' ELSE 'en' END AS language,
       CASE WHEN status = 'open' THEN now() - interval '2 hours' - r6 * interval '3 days'
            WHEN status IN ('awaiting_payment','in_progress','resolved','disputed') THEN now() - interval '3 days' - r6 * interval '20 days'
            ELSE now() - interval '4 days' - r6 * interval '90 days' END AS created_at,
       r7, r8, subject_k, symptom_k, other_cat,
       -- An open request's bidding close, drawn once: help_requests and its pairings' feed_until read it.
       now() + interval '2 hours' + r7 * interval '20 days' AS open_closes_at
FROM (
  SELECT n, floor(15 * power(random(), 1.4))::int AS cat_idx,
         CASE WHEN r1 < 0.70 THEN 'open' WHEN r1 < 0.78 THEN 'awaiting_payment' WHEN r1 < 0.85 THEN 'in_progress'
              WHEN r1 < 0.88 THEN 'resolved' WHEN r1 < 0.95 THEN 'completed' WHEN r1 < 0.96 THEN 'disputed'
              WHEN r1 < 0.98 THEN 'cancelled' ELSE 'expired' END AS status,
         random() AS r3, random() AS r4, random() AS r5, random() AS r6, random() AS r7, random() AS r8,
         1 + floor(random() * 8)::int AS subject_k, 1 + floor(random() * ${SYMPTOMS.length})::int AS symptom_k,
         floor(random() * 15)::int AS other_cat
  FROM (SELECT n, random() AS r1 FROM generate_series(1, $1::int) n) g
) g`;

const SUBJ = `(ARRAY[${SUBJECTS.map((s) => sqlArray(s).replace('::text[]', '')).join(',')}]::text[])`;
const CTX = sqlArray(CONTEXT_SENTENCES);

const REQUESTS_SQL = `
INSERT INTO help_requests (id, customer_id, title, description, category, max_budget_amount, max_budget_currency, urgency,
  language, status, bid_count, accepted_bid_id, bidding_closes_at, accepted_at, funded_at, resolved_at, review_due_at,
  resolution_note, closed_at, created_at, updated_at)
SELECT id, customer_id,
  upper(left(${SUBJ}[1 + cat_idx][subject_k], 1)) || substr(${SUBJ}[1 + cat_idx][subject_k], 2) || ' ' || (${sqlArray(SYMPTOMS)})[symptom_k],
  'My ' || ${SUBJ}[1 + cat_idx][subject_k] || ' ' || (${sqlArray(SYMPTOMS)})[symptom_k] || '. ' || (${CTX})[1 + n % 12] || ' '
    || (${CTX})[1 + (n / 12) % 12] || ' It may be related to my ' || ${SUBJ}[1 + other_cat][1 + n % 8] || '. '
    || (${CTX})[1 + (n / 144) % 12],
  category, budget_amount, budget_currency, urgency, language, status, bid_count,
  CASE WHEN status IN ${ACCEPTED_STATES} THEN pg_temp.bench_uuid('b', n * 8) END,
  CASE WHEN status = 'open' THEN open_closes_at ELSE created_at + interval '72 hours' END,
  CASE WHEN status = 'awaiting_payment' THEN now() - r8 * interval '20 hours'
       WHEN status IN ${ACCEPTED_STATES} THEN created_at + interval '1 day' END,
  CASE WHEN status IN ('in_progress','resolved','completed','disputed') THEN created_at + interval '25 hours' END,
  CASE WHEN status IN ('resolved','completed') THEN created_at + interval '2 days' END,
  CASE WHEN status IN ('resolved','completed') THEN created_at + interval '2 days' + interval '168 hours' END,
  CASE WHEN status IN ('resolved','completed') THEN 'Fixed it remotely; notes are in the chat.' END,
  CASE WHEN status = 'completed' THEN created_at + interval '4 days'
       WHEN status = 'cancelled' THEN created_at + interval '1 day'
       WHEN status = 'expired' THEN created_at + interval '72 hours' END,
  created_at, created_at + interval '1 hour'
FROM bench_req`;

/** What the help_requests_search_terms trigger writes for each open request (migrations/*-RequestSearchTerms.ts). */
const SEARCH_TERMS_SQL = `
INSERT INTO request_search_terms (request_id, lexeme, strength, created_at)
SELECT r.id, t.lexeme, t.strength, r.created_at FROM help_requests r CROSS JOIN LATERAL help_requests_strong_terms(r.search) t
WHERE r.status = 'open'`;

/**
 * Slot j of request n goes to expert 1 + (7919 n + 104729 j) mod E: distinct for j < 5 (104729
 * is prime), so the live-bid-per-expert index (C3) holds. Slot 0 is the accepted bid where the
 * request has one. Bids are at least 90 minutes old, so no expert starts near an hourly quota.
 */
const BIDS_SQL = `
INSERT INTO bids (id, request_id, expert_id, amount, currency, eta_minutes, message, status, created_at, updated_at)
SELECT pg_temp.bench_uuid('b', q.n * 8 + j), q.id, pg_temp.bench_uuid('e', 1 + (q.n::bigint * 7919 + j * 104729) % $1::int),
  CASE WHEN q.budget_amount IS NULL THEN 1000 + floor(random() * 20000)::int ELSE 500 + floor(random() * (q.budget_amount - 500))::int END,
  coalesce(q.budget_currency, 'usd'), 30 + floor(random() * 2850)::int,
  'I can fix this today over a remote session. ' || (${CTX})[1 + (q.n + j) % 12],
  CASE WHEN j = 0 AND q.status IN ${ACCEPTED_STATES} THEN 'accepted'
       WHEN q.status IN ('in_progress','resolved','completed','disputed','cancelled','expired') THEN 'rejected'
       WHEN random() < 0.1 THEN 'withdrawn' ELSE 'active' END,
  b.at, b.at
FROM bench_req q CROSS JOIN LATERAL generate_series(0, q.bid_count - 1) j
CROSS JOIN LATERAL (SELECT least(q.created_at + random() * interval '1 day', now() - interval '90 minutes') AS at) b
ON CONFLICT DO NOTHING`;

/** `bid_count` counts the bids that are not withdrawn (src/bids/bids.service.ts). */
const BID_COUNT_SQL = `
UPDATE help_requests r SET bid_count = b.live
FROM (SELECT request_id, count(*) FILTER (WHERE status <> 'withdrawn')::int AS live FROM bids GROUP BY request_id) b
WHERE b.request_id = r.id AND r.bid_count <> b.live`;

/**
 * The scorer's weights (src/matching/domain/match-score.ts) in SQL. Each open request takes K
 * experts of its category spread evenly over the category's list from a hashed offset, so
 * matches spread across all experts instead of piling onto the top 20.
 */
const MATCHES_SQL = `
INSERT INTO request_matches (request_id, expert_id, score, reasons, created_at, feed_until)
SELECT q.id, e.user_id,
  CASE WHEN e.languages @> ARRAY[q.language] THEN e.score_with_language ELSE e.score_without_language END,
  CASE WHEN e.languages @> ARRAY[q.language] THEN ARRAY[e.skill_reason, 'Speaks ' || q.language] || e.tail
       ELSE ARRAY[e.skill_reason] || e.tail END,
  q.created_at,
  -- The feed index (src/requests/feed-index.ts): open requests only (all of these), not where the
  -- expert bid (the bids are in: same session, loaded first).
  CASE WHEN NOT EXISTS (SELECT 1 FROM bids b WHERE b.request_id = q.id AND b.expert_id = e.user_id)
       THEN q.open_closes_at END
FROM bench_req q
JOIN bench_cat_count c ON c.cat_idx = q.cat_idx
CROSS JOIN LATERAL generate_series(0, least($1::int, c.cnt) - 1) k
JOIN bench_cat_expert e ON e.cat_idx = q.cat_idx
  AND e.rank = (abs(hashint4(q.n)) % c.cnt + k * greatest(1, c.cnt / $1::int)) % c.cnt
WHERE q.status = 'open'`;

const CAT_EXPERTS_SQL = [
  // The expert's half of each score and reason list, once per (category, expert) rather than
  // once per match row; only the language term depends on the request.
  `CREATE UNLOGGED TABLE bench_cat_expert AS
   SELECT cat_idx, user_id, languages, rank,
          round((base + 0.12)::numeric, 4)::real AS score_with_language,
          round(base::numeric, 4)::real AS score_without_language,
          'Skilled in ' || slug AS skill_reason, array_remove(tail, NULL) AS tail
   FROM (
     SELECT c.idx::int - 1 AS cat_idx, c.slug, p.user_id, p.languages,
            (row_number() OVER (PARTITION BY c.idx ORDER BY p.user_id) - 1)::int AS rank,
            0.55 + 0.12 * p.reputation_score / 100.0 + 0.1 * p.available::int
              + 0.06 * CASE WHEN p.last_active_at > now() - interval '24 hours' THEN 1
                            WHEN p.last_active_at > now() - interval '7 days' THEN 0.5 ELSE 0 END
              + 0.05 / (1 + p.active_jobs) AS base,
            ARRAY[
              CASE WHEN p.reputation_score >= 80 THEN 'Top-rated (reputation ' || p.reputation_score || ')'
                   WHEN p.reputation_score >= 60 THEN 'Well-rated (reputation ' || p.reputation_score || ')' END,
              CASE WHEN p.available THEN 'Available now' END,
              CASE WHEN p.last_active_at > now() - interval '24 hours' THEN 'Active in the last 24 h'
                   WHEN p.last_active_at > now() - interval '7 days' THEN 'Active in the last 7 days' END,
              CASE WHEN p.active_jobs = 0 THEN 'No open jobs'
                   WHEN p.active_jobs <= 2 THEN 'Light workload (' || p.active_jobs || ' open job'
                     || CASE WHEN p.active_jobs = 1 THEN '' ELSE 's' END || ')' END] AS tail
     FROM expert_profiles p JOIN unnest(${CATS}) WITH ORDINALITY c(slug, idx) ON p.skills @> ARRAY[c.slug]
   ) x`,
  `CREATE INDEX ON bench_cat_expert (cat_idx, rank)`,
  `CREATE UNLOGGED TABLE bench_cat_count AS SELECT cat_idx, count(*)::int AS cnt FROM bench_cat_expert GROUP BY cat_idx`,
  `ANALYZE bench_cat_expert`,
];

/** The tables the seed fills; the plan's helper tables are dropped at the end. */
const SEEDED = ['users', 'expert_profiles', 'expert_skill_reputation', 'help_requests', 'request_search_terms', 'bids', 'request_matches'];
const HELPERS = ['bench_req', 'bench_cat_expert', 'bench_cat_count'];

/**
 * Fills an empty, migrated database with set-based statements on two sessions (the machine's two
 * CPUs). `passwordHash` is one argon2 hash every seeded user shares (the benchmark mints tokens;
 * logins work too). Only the main session draws random numbers, in the same order as ever, so a
 * scale gives the same rows on every run (scale 1: the same rows as the one-session seed).
 */
export async function seed(url: string, size: SeedSize, passwordHash: string, log: (line: string) => void): Promise<SeedCounts> {
  const db = new Client({ connectionString: url, application_name: 'fixbid-bench-seed' });
  const side = new Client({ connectionString: url, application_name: 'fixbid-bench-seed' });
  const step = async (session: Client, label: string, sql: string | string[], params: unknown[] = []): Promise<void> => {
    const started = Date.now();
    let rows = 0;
    for (const s of Array.isArray(sql) ? sql : [sql]) rows += (await session.query(s, params)).rowCount ?? 0;
    log(`  ${label.padEnd(32)} ${String(rows).padStart(9)} rows  ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s`);
  };
  const phase = async (label: string, work: () => Promise<void>) => {
    const started = Date.now();
    await work();
    log(`  ${`= ${label}`.padEnd(48)} ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s`);
  };
  try {
    for (const session of [db, side]) {
      await session.connect();
      await session.query(`SET synchronous_commit = off`);
      await session.query(`SET maintenance_work_mem = '1GB'`);
      await session.query(`SET work_mem = '64MB'`);
      // Two sessions reading bench_req at once must each read it from the start: a synchronized
      // scan would hand the bids' random draws to other rows.
      await session.query(`SET synchronize_seqscans = off`);
      await session.query(UUID_FN);
    }
    await db.query(`DROP TABLE IF EXISTS ${HELPERS.join(', ')}`);
    await db.query(`SELECT setseed(0.42)`);
    const dropped = await dropForLoad(db, SEEDED);
    await phase('users, profiles and the plan', () =>
      loadInOneTransaction(db, ['users', 'expert_profiles', 'expert_skill_reputation'], async () => {
        await step(db, 'experts (users)', usersSql('e', 'expert', 'expert'), [passwordHash, size.experts]);
        await step(db, 'customers (users)', usersSql('c', 'customer', 'customer'), [passwordHash, size.customers]);
        await step(db, 'expert_profiles', PROFILES_SQL, [size.experts]);
        await step(db, 'skill reputation', SKILL_REPUTATION_SQL);
        await step(db, 'plan', PLAN_SQL, [size.requests, size.customers]);
        await step(db, 'experts by category', CAT_EXPERTS_SQL);
      }),
    );
    // help_requests keeps the trigger that fills `search` (it must run); the word lists get one statement.
    await phase('help_requests, bids and request_matches', () =>
      // help_requests alone on one side (its search triggers make it the slowest per row), bids
      // then matches on the other; only bids draw random numbers, on the main session.
      Promise.all([
        loadInOneTransaction(db, ['bids', 'request_matches'], async () => {
          // A bid's feed-index trigger (a lookup in request_matches per bid) has nothing to do
          // before the matches exist; the matches compute feed_until themselves.
          await db.query(`ALTER TABLE bids DISABLE TRIGGER bids_feed_index`);
          await step(db, 'bids', BIDS_SQL, [size.experts]);
          await step(db, 'request_matches', MATCHES_SQL, [size.matchesPerRequest]);
          await db.query(`ALTER TABLE bids ENABLE TRIGGER bids_feed_index`);
        }),
        // Search's word lists in one statement after the requests, instead of a trigger per row.
        loadInOneTransaction(side, ['help_requests', 'request_search_terms'], async () => {
          await side.query(`ALTER TABLE help_requests DISABLE TRIGGER help_requests_search_terms`);
          await step(side, 'help_requests', REQUESTS_SQL);
          await step(side, 'search terms', SEARCH_TERMS_SQL);
          await side.query(`ALTER TABLE help_requests ENABLE TRIGGER help_requests_search_terms`);
        }),
      ]).then(() => step(db, 'bid counts', BID_COUNT_SQL)),
    );
    await phase('keys, indexes and foreign keys', () => rebuild([db, side], dropped, log));
    await db.query(`DROP TABLE ${HELPERS.join(', ')}`);
    // VACUUM too, not just ANALYZE: it sets the visibility map (index-only scans work from the
    // first request) and leaves autovacuum nothing to do while the load runs.
    await phase('vacuum analyze', () => inParallel([db, side], [...SEEDED].reverse().map((t) => (session) => step(session, `vacuum ${t}`, `VACUUM (ANALYZE) ${t}`))));
    const { rows } = await db.query(`SELECT
      (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM expert_profiles)::int AS experts,
      (SELECT count(*) FROM help_requests)::int AS requests,
      (SELECT count(*) FROM help_requests WHERE status = 'open')::int AS "openRequests",
      (SELECT count(*) FROM bids)::int AS bids, (SELECT count(*) FROM request_matches)::int AS matches`);
    return rows[0] as SeedCounts;
  } finally {
    await db.end().catch(() => undefined);
    await side.end().catch(() => undefined);
  }
}

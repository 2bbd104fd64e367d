import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reputation you can read (issue 10): the overall tally on expert_profiles, one tally per (expert,
 * skill) in expert_skill_reputation, and reviews.counts_in_reputation (the 30-day dedupe). The
 * backfill replays history into the tallies with the rules of src/experts/domain/reputation.ts as
 * they stand today, frozen here in SQL (a migration never changes after it lands): ratings that
 * count, finished jobs (completed or refunded requests) with on time and the refunded share of a
 * lost customer or warranty dispute, each weighing 2^(−age / 180 days); helpful votes start at 0
 * (their table is new). test/experts/reputation-backfill.e2e-spec.ts checks that replaying a
 * history here gives the scores the app kept event by event.
 */

export class ReputationTallies1796031528333 implements MigrationInterface {
  name = 'ReputationTallies1796031528333';

  /** The backfill, for the spec that compares it with what the app keeps (TypeORM takes every export of this file for a migration). */
  static readonly backfill = backfillReputation;

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "expert_skill_reputation" ("rep_as_of" TIMESTAMP WITH TIME ZONE, "rep_rating_weight" double precision NOT NULL DEFAULT '0', "rep_star_weight" double precision NOT NULL DEFAULT '0', "rep_ratings" integer NOT NULL DEFAULT '0', "rep_job_weight" double precision NOT NULL DEFAULT '0', "rep_completed_weight" double precision NOT NULL DEFAULT '0', "rep_on_time_weight" double precision NOT NULL DEFAULT '0', "rep_loss_weight" double precision NOT NULL DEFAULT '0', "rep_jobs" integer NOT NULL DEFAULT '0', "rep_helpful_votes" integer NOT NULL DEFAULT '0', "expert_id" uuid NOT NULL, "skill" text NOT NULL, "score" smallint NOT NULL DEFAULT '50', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_86b6d4bc7a30a1f4364d6226691" PRIMARY KEY ("expert_id", "skill"))`);
    await queryRunner.query(`CREATE INDEX "IDX_expert_skill_reputation_rank" ON "expert_skill_reputation"  ("skill", "score", "expert_id") `);
    await queryRunner.query(`ALTER TABLE "expert_profiles" ADD "rep_as_of" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" ADD "rep_rating_weight" double precision NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" ADD "rep_star_weight" double precision NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" ADD "rep_ratings" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" ADD "rep_job_weight" double precision NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" ADD "rep_completed_weight" double precision NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" ADD "rep_on_time_weight" double precision NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" ADD "rep_loss_weight" double precision NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" ADD "rep_jobs" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" ADD "rep_helpful_votes" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "reviews" ADD "counts_in_reputation" boolean NOT NULL DEFAULT true`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" ALTER COLUMN "reputation_score" SET DEFAULT '50'`);
    await queryRunner.query(`ALTER TABLE "expert_skill_reputation" ADD CONSTRAINT "FK_expert_skill_reputation_profile" FOREIGN KEY ("expert_id") REFERENCES "expert_profiles"("user_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await backfillReputation((sql) => queryRunner.query(sql));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "expert_skill_reputation" DROP CONSTRAINT "FK_expert_skill_reputation_profile"`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" ALTER COLUMN "reputation_score" SET DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "reviews" DROP COLUMN "counts_in_reputation"`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" DROP COLUMN "rep_helpful_votes"`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" DROP COLUMN "rep_jobs"`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" DROP COLUMN "rep_loss_weight"`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" DROP COLUMN "rep_on_time_weight"`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" DROP COLUMN "rep_completed_weight"`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" DROP COLUMN "rep_job_weight"`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" DROP COLUMN "rep_ratings"`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" DROP COLUMN "rep_star_weight"`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" DROP COLUMN "rep_rating_weight"`);
    await queryRunner.query(`ALTER TABLE "expert_profiles" DROP COLUMN "rep_as_of"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_expert_skill_reputation_rank"`);
    await queryRunner.query(`DROP TABLE "expert_skill_reputation"`);
  }
}

const HALF_LIFE_SECONDS = 180 * 86_400;

/** 0..1 quality of the tally columns of `t` (the domain's QUALITY_PARTS). */
const qualitySql = (t: string) => `LEAST(1, GREATEST(0,
    0.45 * ((LEAST(5, GREATEST(1, COALESCE(${t}.rep_star_weight / NULLIF(${t}.rep_rating_weight, 0), 3))) * ${t}.rep_ratings + 3 * 5) / (${t}.rep_ratings + 5) - 1) / 4
  + 0.2 * COALESCE(LEAST(1, ${t}.rep_completed_weight / NULLIF(${t}.rep_job_weight, 0)), 0)
  + 0.15 * COALESCE(LEAST(1, ${t}.rep_on_time_weight / NULLIF(${t}.rep_job_weight, 0)), 0)
  + 0.1 * CASE WHEN ${t}.rep_job_weight > 0 THEN 1 - LEAST(1, ${t}.rep_loss_weight / ${t}.rep_job_weight) ELSE 0 END
  + 0.1 * ${t}.rep_helpful_votes::float8 / (${t}.rep_helpful_votes + 20)))`;

/** round(100 × (quality × jobs + prior × 10) / (jobs + 10)), rounding half up as Math.round does. */
const scoreSql = (t: string, prior: string) =>
  `round((100 * (${qualitySql(t)} * ${t}.rep_jobs + (${prior}) * 10) / (${t}.rep_jobs + 10))::numeric)::smallint`;

/**
 * Replays the history into the tallies and scores; `run` sends one statement, all on one
 * connection inside one transaction (the work table is dropped on commit).
 */
async function backfillReputation(run: (sql: string) => Promise<unknown>): Promise<void> {
  // A customer's rating of an expert counts unless their previous counted one is under 30 days old.
  await run(`
    WITH RECURSIVE ordered AS (
      SELECT id, expert_id, customer_id, created_at,
             row_number() OVER (PARTITION BY expert_id, customer_id ORDER BY created_at, id) AS n
        FROM reviews
    ), walk AS (
      SELECT id, expert_id, customer_id, n, created_at AS last_counted, true AS counts FROM ordered WHERE n = 1
      UNION ALL
      SELECT o.id, o.expert_id, o.customer_id, o.n,
             CASE WHEN o.created_at >= w.last_counted + interval '30 days' THEN o.created_at ELSE w.last_counted END,
             o.created_at >= w.last_counted + interval '30 days'
        FROM walk w JOIN ordered o ON o.expert_id = w.expert_id AND o.customer_id = w.customer_id AND o.n = w.n + 1
    )
    UPDATE reviews r SET counts_in_reputation = w.counts FROM walk w WHERE w.id = r.id`);
  await run(`DROP TABLE IF EXISTS reputation_backfill`);
  await run(`
    CREATE TEMP TABLE reputation_backfill ON COMMIT DROP AS
    WITH events AS (
      SELECT rv.expert_id, r.category, rv.created_at AS at, true AS rating, rv.rating AS stars,
             false AS completed, false AS on_time, 0::float8 AS loss
        FROM reviews rv JOIN help_requests r ON r.id = rv.request_id
       WHERE rv.counts_in_reputation
      UNION ALL
      SELECT b.expert_id, r.category, r.closed_at, false, NULL, r.status = 'completed',
             COALESCE(r.resolved_at - r.funded_at <= b.eta_minutes * interval '1 minute', false),
             COALESCE((SELECT CASE d.outcome WHEN 'refund' THEN 1 ELSE LEAST(1, d.refund_amount::float8 / b.amount) END
                         FROM disputes d
                        WHERE d.request_id = r.id AND d.kind IN ('customer', 'warranty') AND d.status = 'resolved'
                          AND d.outcome IN ('refund', 'split')
                        ORDER BY d.resolved_at DESC LIMIT 1), 0)
        FROM help_requests r JOIN bids b ON b.id = r.accepted_bid_id
       WHERE r.status IN ('completed', 'refunded') AND r.funded_at IS NOT NULL AND r.closed_at IS NOT NULL
    ), weighted AS (
      SELECT e.*, power(2, -GREATEST(0, extract(epoch FROM now() - e.at)) / ${HALF_LIFE_SECONDS})::float8 AS w FROM events e
    )
    SELECT expert_id, category,
           COALESCE(sum(w) FILTER (WHERE rating), 0) AS rep_rating_weight,
           COALESCE(sum(w * stars) FILTER (WHERE rating), 0) AS rep_star_weight,
           count(*) FILTER (WHERE rating)::int AS rep_ratings,
           COALESCE(sum(w) FILTER (WHERE NOT rating), 0) AS rep_job_weight,
           COALESCE(sum(w) FILTER (WHERE NOT rating AND completed), 0) AS rep_completed_weight,
           COALESCE(sum(w) FILTER (WHERE NOT rating AND on_time), 0) AS rep_on_time_weight,
           COALESCE(sum(w * loss) FILTER (WHERE NOT rating), 0) AS rep_loss_weight,
           count(*) FILTER (WHERE NOT rating)::int AS rep_jobs,
           0 AS rep_helpful_votes
      FROM weighted
     GROUP BY GROUPING SETS ((expert_id), (expert_id, category))`);
  // Everyone starts from no record (50); those with history get their tally and its score.
  await run(`UPDATE expert_profiles SET reputation_score = 50`);
  await run(`
    UPDATE expert_profiles p
       SET rep_as_of = now(), rep_rating_weight = t.rep_rating_weight, rep_star_weight = t.rep_star_weight,
           rep_ratings = t.rep_ratings, rep_job_weight = t.rep_job_weight, rep_completed_weight = t.rep_completed_weight,
           rep_on_time_weight = t.rep_on_time_weight, rep_loss_weight = t.rep_loss_weight, rep_jobs = t.rep_jobs,
           rep_helpful_votes = t.rep_helpful_votes, reputation_score = ${scoreSql('t', '0.5')}
      FROM reputation_backfill t
     WHERE t.category IS NULL AND t.expert_id = p.user_id`);
  // One row per listed skill and per category worked in; a skill is pulled toward min(0.5, overall).
  await run(`
    INSERT INTO expert_skill_reputation (expert_id, skill, rep_as_of, rep_rating_weight, rep_star_weight, rep_ratings,
                                         rep_job_weight, rep_completed_weight, rep_on_time_weight, rep_loss_weight,
                                         rep_jobs, rep_helpful_votes, score)
    SELECT p.user_id, s.skill, CASE WHEN t.expert_id IS NULL THEN NULL ELSE now() END,
           COALESCE(t.rep_rating_weight, 0), COALESCE(t.rep_star_weight, 0), COALESCE(t.rep_ratings, 0),
           COALESCE(t.rep_job_weight, 0), COALESCE(t.rep_completed_weight, 0), COALESCE(t.rep_on_time_weight, 0),
           COALESCE(t.rep_loss_weight, 0), COALESCE(t.rep_jobs, 0), 0,
           ${scoreSql('z', 'LEAST(0.5, p.reputation_score / 100.0)')}
      FROM expert_profiles p
      CROSS JOIN LATERAL (
        SELECT unnest(p.skills) AS skill
        UNION
        SELECT category FROM reputation_backfill WHERE expert_id = p.user_id AND category IS NOT NULL
      ) s
      LEFT JOIN reputation_backfill t ON t.expert_id = p.user_id AND t.category = s.skill
      CROSS JOIN LATERAL (
        SELECT COALESCE(t.rep_rating_weight, 0) AS rep_rating_weight, COALESCE(t.rep_star_weight, 0) AS rep_star_weight,
               COALESCE(t.rep_ratings, 0) AS rep_ratings, COALESCE(t.rep_job_weight, 0) AS rep_job_weight,
               COALESCE(t.rep_completed_weight, 0) AS rep_completed_weight, COALESCE(t.rep_on_time_weight, 0) AS rep_on_time_weight,
               COALESCE(t.rep_loss_weight, 0) AS rep_loss_weight, COALESCE(t.rep_jobs, 0) AS rep_jobs, 0 AS rep_helpful_votes
      ) z
    ON CONFLICT (expert_id, skill) DO UPDATE SET
      rep_as_of = EXCLUDED.rep_as_of, rep_rating_weight = EXCLUDED.rep_rating_weight, rep_star_weight = EXCLUDED.rep_star_weight,
      rep_ratings = EXCLUDED.rep_ratings, rep_job_weight = EXCLUDED.rep_job_weight, rep_completed_weight = EXCLUDED.rep_completed_weight,
      rep_on_time_weight = EXCLUDED.rep_on_time_weight, rep_loss_weight = EXCLUDED.rep_loss_weight, rep_jobs = EXCLUDED.rep_jobs,
      rep_helpful_votes = EXCLUDED.rep_helpful_votes, score = EXCLUDED.score, updated_at = now()`);
  await run(`DROP TABLE reputation_backfill`);
}

import { EntityManager } from 'typeorm';
import { hydrate } from '../database/hydrate';
import { lockRows } from '../database/locks';
import { ExpertCounters } from './domain/expert-counters';
import { ExpertReputation, ReputationTally } from './domain/reputation';
import { ExpertProfile } from './expert-profile.entity';
import { ExpertSkillReputation } from './expert-skill-reputation.entity';
import { tallyOf } from './reputation-tally.columns';

/**
 * Reads and writes an expert's reputation (the profile's overall tally and score, and their
 * expert_skill_reputation rows) under the profile's row lock: every writer of either takes that
 * lock first, so the skill rows need no lock of their own. Two statements around the caller's
 * rule: the lock, one read of what the rule needs, one write.
 */

/** The job a rating or an outcome belongs to: the request, as its row lock gave it. */
export interface JobFacts {
  readonly id: string;
  readonly customerId: string;
  readonly category: string;
  readonly acceptedBidId: string | null;
  readonly fundedAt: Date | null;
  readonly resolvedAt: Date | null;
}

export interface LockedReputation {
  readonly profile: ExpertProfile;
  readonly reputation: ExpertReputation;
  /** The accepted bid's etaMinutes (with a job). */
  readonly etaMinutes: number | null;
  /** When the job's customer's last rating of this expert that counted was made, within the dedupe window (with a job). */
  readonly lastCountedRatingAt: Date | null;
}

interface SkillRow {
  skill: string;
  score: number;
  rep_as_of: string | null;
  rep_rating_weight: number;
  rep_star_weight: number;
  rep_ratings: number;
  rep_job_weight: number;
  rep_completed_weight: number;
  rep_on_time_weight: number;
  rep_loss_weight: number;
  rep_jobs: number;
  rep_helpful_votes: number;
}

const tallyOfRow = (r: SkillRow): ReputationTally => ({
  asOf: r.rep_as_of ? new Date(r.rep_as_of) : null,
  ratingWeight: r.rep_rating_weight,
  starWeight: r.rep_star_weight,
  ratings: r.rep_ratings,
  jobWeight: r.rep_job_weight,
  completedWeight: r.rep_completed_weight,
  onTimeWeight: r.rep_on_time_weight,
  lossWeight: r.rep_loss_weight,
  jobs: r.rep_jobs,
  helpfulVotes: r.rep_helpful_votes,
});

/**
 * Locks the profile, then reads the skill rows (and, for a job, its bid's eta and the customer's
 * last counted rating) in a statement of its own: one folded into the locking SELECT would read
 * from a snapshot taken before the lock wait and miss what the previous holder wrote.
 * Null for an expert without a profile (no counters, no reputation).
 */
export async function lockReputation(
  em: EntityManager,
  expertId: string,
  job: JobFacts | null,
  reviewId: string | null,
  dedupeSince: Date | null,
): Promise<LockedReputation | null> {
  const [row] = await lockRows(em, 'expert_profiles', 'user_id', [expertId]);
  if (!row) return null;
  const profile = hydrate(em, ExpertProfile, row);
  const [facts]: Array<{ eta_minutes: number | null; last_counted_rating_at: Date | null; skills: SkillRow[] }> = await em.query(
    `SELECT (SELECT eta_minutes FROM bids WHERE id = $2) AS eta_minutes,
            (SELECT max(created_at) FROM reviews
              WHERE expert_id = $1 AND customer_id = $3 AND counts_in_reputation AND id IS DISTINCT FROM $4 AND created_at > $5) AS last_counted_rating_at,
            COALESCE((SELECT json_agg(s) FROM expert_skill_reputation s WHERE s.expert_id = $1), '[]') AS skills`,
    [expertId, job?.acceptedBidId ?? null, job?.customerId ?? null, reviewId, dedupeSince],
  );
  return {
    profile,
    reputation: {
      overall: tallyOf(profile),
      score: profile.reputationScore,
      skills: new Map(facts.skills.map((s) => [s.skill, { tally: tallyOfRow(s), score: s.score }])),
    },
    etaMinutes: facts.eta_minutes,
    lastCountedRatingAt: facts.last_counted_rating_at,
  };
}

const TALLY_COLUMNS = [
  ['rep_as_of', 'timestamptz', (t: ReputationTally) => t.asOf],
  ['rep_rating_weight', 'float8', (t: ReputationTally) => t.ratingWeight],
  ['rep_star_weight', 'float8', (t: ReputationTally) => t.starWeight],
  ['rep_ratings', 'int', (t: ReputationTally) => t.ratings],
  ['rep_job_weight', 'float8', (t: ReputationTally) => t.jobWeight],
  ['rep_completed_weight', 'float8', (t: ReputationTally) => t.completedWeight],
  ['rep_on_time_weight', 'float8', (t: ReputationTally) => t.onTimeWeight],
  ['rep_loss_weight', 'float8', (t: ReputationTally) => t.lossWeight],
  ['rep_jobs', 'int', (t: ReputationTally) => t.jobs],
  ['rep_helpful_votes', 'int', (t: ReputationTally) => t.helpfulVotes],
] as const;

export interface SaveOptions {
  /** The expert's plain counters, written with the reputation. */
  readonly counters?: ExpertCounters;
  /** A review inserted in this transaction whose rating turned out not to count (the 30-day rule). */
  readonly uncountedReview?: string;
}

/**
 * One statement: the changed skill rows (inserted or replaced), the review's dedupe flag when it
 * did not count, and the profile's tally, score and counters.
 */
export async function saveReputation(
  em: EntityManager,
  expertId: string,
  after: ExpertReputation,
  changedSkills: readonly string[],
  options: SaveOptions = {},
): Promise<void> {
  const skillRows = changedSkills.map((skill) => {
    const s = after.skills.get(skill)!;
    return { skill, score: s.score, ...Object.fromEntries(TALLY_COLUMNS.map(([name, , get]) => [name, get(s.tally)])) };
  });
  const params: unknown[] = [expertId, JSON.stringify(skillRows), options.uncountedReview ?? null, after.score];
  const param = (value: unknown) => `$${params.push(value)}`;
  const tallySet = TALLY_COLUMNS.map(([name, type, get]) => `${name} = ${param(get(after.overall))}::${type}`);
  const c = options.counters;
  const counterSet = c
    ? [`rating_sum = ${param(c.ratingSum)}`, `rating_count = ${param(c.ratingCount)}`, `completed_jobs = ${param(c.completedJobs)}`, `active_jobs = ${param(c.activeJobs)}`]
    : [];
  const names = TALLY_COLUMNS.map(([name]) => name);
  await em.query(
    `WITH skill_rows AS (
       INSERT INTO expert_skill_reputation (expert_id, skill, score, ${names.join(', ')})
       SELECT $1, x.skill, x.score, ${names.map((n) => `x.${n}`).join(', ')}
         FROM jsonb_to_recordset($2::jsonb) AS x(skill text, score smallint, ${TALLY_COLUMNS.map(([n, type]) => `${n} ${type}`).join(', ')})
       ON CONFLICT (expert_id, skill) DO UPDATE
         SET score = EXCLUDED.score, ${names.map((n) => `${n} = EXCLUDED.${n}`).join(', ')}, updated_at = now()
     ), uncounted AS (
       UPDATE reviews SET counts_in_reputation = false WHERE id = $3
     )
     UPDATE expert_profiles SET reputation_score = $4, ${[...tallySet, ...counterSet].join(', ')}, updated_at = now()
      WHERE user_id = $1`,
    params,
  );
}

/**
 * The skill rows of these experts (for bySkill), in one query; the caller maps them onto the
 * profile's listed skills.
 */
export async function skillReputationsOf(em: EntityManager, expertIds: readonly string[]): Promise<Map<string, ExpertSkillReputation[]>> {
  const byExpert = new Map<string, ExpertSkillReputation[]>();
  if (expertIds.length === 0) return byExpert;
  const rows = await em.getRepository(ExpertSkillReputation).createQueryBuilder('s').where('s.expertId IN (:...ids)', { ids: [...new Set(expertIds)] }).getMany();
  for (const row of rows) byExpert.set(row.expertId, [...(byExpert.get(row.expertId) ?? []), row]);
  return byExpert;
}

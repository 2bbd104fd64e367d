/**
 * How a finished job or a new rating moves an expert's counters (rating, completed and active
 * jobs, reputation). Pure: no Nest, no TypeORM.
 */
import { reputationScore } from '../../matching/domain/match-score';

export interface ExpertCounters {
  readonly ratingSum: number;
  readonly ratingCount: number;
  readonly completedJobs: number;
  readonly activeJobs: number;
  readonly reputationScore: number;
}

/**
 * What happened to the job: a rating arrived (any review, even "not fixed": the customer's
 * experience counts), and/or the job ended (`completed` when money went to the expert,
 * `ended` when it was refunded). The active-jobs load never goes below zero.
 */
export interface JobOutcome {
  readonly rating?: number;
  readonly finished?: 'completed' | 'refunded';
}

export function countersAfter(before: ExpertCounters, outcome: JobOutcome): ExpertCounters {
  const rated = outcome.rating !== undefined;
  const ratingSum = before.ratingSum + (rated ? outcome.rating! : 0);
  const ratingCount = before.ratingCount + (rated ? 1 : 0);
  const completedJobs = before.completedJobs + (outcome.finished === 'completed' ? 1 : 0);
  const activeJobs = outcome.finished ? Math.max(0, before.activeJobs - 1) : before.activeJobs;
  const score = rated ? reputationScore({ count: ratingCount, average: ratingCount ? ratingSum / ratingCount : null }) : before.reputationScore;
  return { ratingSum, ratingCount, completedJobs, activeJobs, reputationScore: score };
}

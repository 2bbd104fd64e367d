/**
 * How a finished job or a new rating moves an expert's plain counters (the shown star rating,
 * completed and active jobs). Reputation has its own rules (./reputation.ts). Pure: no Nest, no TypeORM.
 */

export interface ExpertCounters {
  readonly ratingSum: number;
  readonly ratingCount: number;
  readonly completedJobs: number;
  readonly activeJobs: number;
}

/**
 * What happened to the job: a rating arrived (any review, even "not fixed": the customer's
 * experience counts), and/or the job ended (`completed` when money went to the expert,
 * `refunded` when it went back to the customer). The active-jobs load never goes below zero.
 */
export interface JobOutcome {
  readonly rating?: number;
  readonly finished?: 'completed' | 'refunded';
}

export function countersAfter(before: ExpertCounters, outcome: JobOutcome): ExpertCounters {
  const rated = outcome.rating !== undefined;
  return {
    ratingSum: before.ratingSum + (rated ? outcome.rating! : 0),
    ratingCount: before.ratingCount + (rated ? 1 : 0),
    completedJobs: before.completedJobs + (outcome.finished === 'completed' ? 1 : 0),
    activeJobs: outcome.finished ? Math.max(0, before.activeJobs - 1) : before.activeJobs,
  };
}

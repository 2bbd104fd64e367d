import { Column } from 'typeorm';
import type { ReputationTally } from './domain/reputation';

/**
 * The stored ReputationTally (src/experts/domain/reputation.ts), the same columns on the expert's
 * profile (overall) and on each of their expert_skill_reputation rows (one category). The
 * `…_weight` sums are decayed to `rep_as_of`; see the domain for why a read never decays them.
 */
export abstract class ReputationTallyColumns {
  @Column({ name: 'rep_as_of', type: 'timestamptz', nullable: true })
  repAsOf!: Date | null;

  @Column({ name: 'rep_rating_weight', type: 'double precision', default: 0 })
  repRatingWeight!: number;

  @Column({ name: 'rep_star_weight', type: 'double precision', default: 0 })
  repStarWeight!: number;

  @Column({ name: 'rep_ratings', type: 'int', default: 0 })
  repRatings!: number;

  @Column({ name: 'rep_job_weight', type: 'double precision', default: 0 })
  repJobWeight!: number;

  @Column({ name: 'rep_completed_weight', type: 'double precision', default: 0 })
  repCompletedWeight!: number;

  @Column({ name: 'rep_on_time_weight', type: 'double precision', default: 0 })
  repOnTimeWeight!: number;

  @Column({ name: 'rep_loss_weight', type: 'double precision', default: 0 })
  repLossWeight!: number;

  @Column({ name: 'rep_jobs', type: 'int', default: 0 })
  repJobs!: number;

  @Column({ name: 'rep_helpful_votes', type: 'int', default: 0 })
  repHelpfulVotes!: number;
}

/** The domain's view of the stored columns. */
export function tallyOf(row: ReputationTallyColumns): ReputationTally {
  return {
    asOf: row.repAsOf,
    ratingWeight: row.repRatingWeight,
    starWeight: row.repStarWeight,
    ratings: row.repRatings,
    jobWeight: row.repJobWeight,
    completedWeight: row.repCompletedWeight,
    onTimeWeight: row.repOnTimeWeight,
    lossWeight: row.repLossWeight,
    jobs: row.repJobs,
    helpfulVotes: row.repHelpfulVotes,
  };
}

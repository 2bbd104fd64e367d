import { EntityManager } from 'typeorm';
import { hydrate } from '../database/hydrate';
import { lockRows } from '../database/locks';
import { countersAfter, JobOutcome } from './domain/expert-counters';
import { ExpertProfile } from './expert-profile.entity';

/**
 * Moves the expert's counters (rating, completed and active jobs, reputation) for a finished job
 * or a new rating, under the profile's row lock — the last lock of the order, so call it at the
 * end of the use case. Experts without a profile have no counters.
 */
export async function recordJobOutcome(em: EntityManager, expertId: string, outcome: JobOutcome): Promise<void> {
  const [row] = await lockRows(em, 'expert_profiles', 'user_id', [expertId]);
  if (!row) return;
  const next = countersAfter(hydrate(em, ExpertProfile, row), outcome);
  await em.query(
    `UPDATE expert_profiles
        SET rating_sum = $2, rating_count = $3, completed_jobs = $4, active_jobs = $5, reputation_score = $6, updated_at = now()
      WHERE user_id = $1`,
    [expertId, next.ratingSum, next.ratingCount, next.completedJobs, next.activeJobs, next.reputationScore],
  );
}

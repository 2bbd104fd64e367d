import { EntityManager } from 'typeorm';
import { Bid } from '../bids/bid.entity';
import { HelpRequest } from '../requests/help-request.entity';
import { countersAfter, JobOutcome } from './domain/review-rules';

/**
 * Small helpers the resolution, review, dispute and timer use cases share. Lock order, as in
 * src/bids/bid-locks.ts: the request row first, then the escrow, the dispute or review, and the
 * expert's profile last, so two transactions never wait on each other in a circle.
 */
export function lockRequest(em: EntityManager, id: string): Promise<HelpRequest | null> {
  return em.getRepository(HelpRequest).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
}

/** The expert whose bid was accepted; null before acceptance. The accepted bid never changes once funded. */
export async function awardedExpertId(em: EntityManager, request: HelpRequest): Promise<string | null> {
  if (!request.acceptedBidId) return null;
  const bid = await em.getRepository(Bid).findOne({ where: { id: request.acceptedBidId }, select: { id: true, expertId: true } });
  return bid?.expertId ?? null;
}

/**
 * Moves the expert's counters (rating, completed and active jobs, reputation) for a finished job
 * or a new rating, under the profile's row lock. Experts without a profile have no counters.
 */
export async function recordJobOutcome(em: EntityManager, expertId: string, outcome: JobOutcome): Promise<void> {
  const [profile] = (await em.query(
    `SELECT rating_sum AS "ratingSum", rating_count AS "ratingCount", completed_jobs AS "completedJobs",
            active_jobs AS "activeJobs", reputation_score AS "reputationScore"
       FROM expert_profiles WHERE user_id = $1 FOR UPDATE`,
    [expertId],
  )) as Array<{ ratingSum: number; ratingCount: number; completedJobs: number; activeJobs: number; reputationScore: number }>;
  if (!profile) return;
  const next = countersAfter(profile, outcome);
  await em.query(
    `UPDATE expert_profiles
        SET rating_sum = $2, rating_count = $3, completed_jobs = $4, active_jobs = $5, reputation_score = $6, updated_at = now()
      WHERE user_id = $1`,
    [expertId, next.ratingSum, next.ratingCount, next.completedJobs, next.activeJobs, next.reputationScore],
  );
}

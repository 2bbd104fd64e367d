import { EntityManager } from 'typeorm';

/**
 * The expert's current load (`active_jobs`, which matching weighs): +1 when their bid is
 * accepted, −1 when that job ends without completing (payment window lapse, cancel). Completion
 * and refunds move it with the other counters (src/reviews/request-parties.ts). No profile, no counter.
 */
export async function changeExpertLoadForBid(em: EntityManager, bidId: string, delta: 1 | -1): Promise<void> {
  await em.query(
    `UPDATE expert_profiles SET active_jobs = GREATEST(active_jobs + $2, 0)
      WHERE user_id = (SELECT expert_id FROM bids WHERE id = $1)`,
    [bidId, delta],
  );
}

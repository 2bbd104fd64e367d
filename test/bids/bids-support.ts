import { TestApp } from '../support/test-app';
import { createProfile, TestUser } from '../support/factories';

/** The contract's error envelope, for short assertions: `expect(err(res)).toMatchObject({...})`. */
export function errorOf(res: { status: number; body: { error?: { code?: string; param?: string } } }): {
  status: number;
  code?: string;
  param?: string;
} {
  return { status: res.status, code: res.body.error?.code, param: res.body.error?.param };
}

/**
 * A profile with a track record, written straight into expert_profiles (and, as good, into each
 * listed skill's reputation row) after the real PUT creates the profile: quicker than the deals.
 */
export async function profileWithRecord(
  t: TestApp,
  expert: TestUser,
  record: { ratingCount: number; ratingSum: number; reputationScore: number; completedJobs: number },
): Promise<void> {
  await createProfile(t, expert);
  await t.ds.query(
    `UPDATE expert_profiles SET rating_count = $2, rating_sum = $3, reputation_score = $4, completed_jobs = $5 WHERE user_id = $1`,
    [expert.id, record.ratingCount, record.ratingSum, record.reputationScore, record.completedJobs],
  );
  await t.ds.query(`UPDATE expert_skill_reputation SET score = $2, rep_jobs = $3 WHERE expert_id = $1`, [expert.id, record.reputationScore, record.completedJobs]);
}

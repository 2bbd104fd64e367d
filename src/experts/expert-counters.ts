import { EntityManager } from 'typeorm';
import { countersAfter, JobOutcome } from './domain/expert-counters';
import { RATING_DEDUPE_DAYS, ratingCounts, ReputationEvent, reputationAfter, resolvedOnTime } from './domain/reputation';
import { JobFacts, lockReputation, saveReputation } from './reputation.store';

export type { JobFacts } from './reputation.store';

/** A rating and/or the end of a job, with what reputation weighs beyond the counters. */
export interface JobRecord extends JobOutcome {
  /** The review carrying `rating`, inserted by this transaction: the 30-day rule's verdict is written on it. */
  readonly reviewId?: string;
  /**
   * The share of the price refunded when an admin settled the customer's dispute against the
   * expert (1 refund, refundAmount / amount for a split); 0 or absent otherwise.
   */
  readonly refundedShare?: number;
}

const DAY_MS = 86_400_000;

/**
 * Moves the expert's counters (star rating, completed and active jobs) and reputation (overall
 * and in the job's category) for a finished job or a new rating, under the profile's row lock —
 * the last lock of the order, so call it at the end of the use case. A rating counts toward
 * reputation only if the customer's previous counted rating of this expert is 30 days old or more;
 * that is decided here, under the lock, so two reviews at once cannot both count, and written to
 * the review. Experts without a profile have no counters. Three statements: lock, read, write.
 */
export async function recordJobOutcome(em: EntityManager, expertId: string, job: JobFacts, outcome: JobRecord, now = new Date()): Promise<void> {
  const dedupeSince = new Date(now.getTime() - RATING_DEDUPE_DAYS * DAY_MS);
  const locked = await lockReputation(em, expertId, job, outcome.reviewId ?? null, dedupeSince);
  if (!locked) return;
  const events: ReputationEvent[] = [];
  const ratingCounted = outcome.rating !== undefined && ratingCounts(locked.lastCountedRatingAt, now);
  if (ratingCounted) events.push({ kind: 'rating', stars: outcome.rating!, at: now });
  if (outcome.finished) {
    events.push({
      kind: 'job',
      at: now,
      completed: outcome.finished === 'completed',
      onTime: resolvedOnTime({ fundedAt: job.fundedAt, resolvedAt: job.resolvedAt, etaMinutes: locked.etaMinutes }),
      refundedShare: outcome.refundedShare ?? 0,
    });
  }
  const { after, changedSkills } = reputationAfter(locked.reputation, { category: job.category, events });
  await saveReputation(em, expertId, after, changedSkills, {
    counters: countersAfter(locked.profile, outcome),
    uncountedReview: outcome.rating !== undefined && !ratingCounted ? outcome.reviewId : undefined,
  });
}

/**
 * The owner reopened the job under its warranty: the fix did not stay, so the job's completion
 * credit is taken back (overall and in its category). Under the profile's lock, last in the order.
 */
export async function recordJobReopened(em: EntityManager, expertId: string, job: JobFacts, completedAt: Date, now = new Date()): Promise<void> {
  const locked = await lockReputation(em, expertId, null, null, null);
  if (!locked) return;
  const { after, changedSkills } = reputationAfter(locked.reputation, { category: job.category, events: [{ kind: 'reopened', at: now, completedAt }] });
  await saveReputation(em, expertId, after, changedSkills);
}

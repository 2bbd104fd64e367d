import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { reputationAfter } from './domain/reputation';
import { lockReputation, saveReputation } from './reputation.store';

/** Qualifying helpful votes on one expert's solutions: in total and by the solutions' categories. */
export interface HelpfulVoteCount {
  readonly total: number;
  readonly byCategory: ReadonlyMap<string, number>;
}

/**
 * The helpful votes side of reputation. The knowledge base records a vote (solution_votes) and,
 * in the same transaction, calls refreshHelpfulVotes for the solution's expert, which recounts
 * what qualifies and rescores them under their profile lock. A vote that starts to qualify later
 * (its voter pays for a first job) counts from the expert's next recount.
 */
@Injectable()
export class ReputationService {
  /** Recounts the expert's qualifying helpful votes and rescores them; nothing for an expert without a profile. */
  async refreshHelpfulVotes(em: EntityManager, expertId: string): Promise<void> {
    const locked = await lockReputation(em, expertId, null, null, null);
    if (!locked) return;
    const votes = await this.countQualifyingHelpfulVotes(em, expertId);
    const { after, changedSkills } = reputationAfter(locked.reputation, { helpfulVotes: votes });
    await saveReputation(em, expertId, after, changedSkills);
  }

  /**
   * The votes qualifyingHelpfulVotes() (src/experts/domain/reputation.ts) counts, in SQL: votes on
   * the requests this expert worked on (a funded escrow of theirs), from voters other than the
   * expert who have funded a job as a customer themselves (a request's funded_at is stamped with
   * its escrow's funding, and IDX_help_requests_customer finds a voter's requests). Written against
   * `solution_votes (request_id → help_requests, user_id → users, created_at, PRIMARY KEY (request_id, user_id))`;
   * while that table does not exist (a database before the knowledge base's migration) there is
   * nothing to count.
   */
  async countQualifyingHelpfulVotes(em: EntityManager, expertId: string): Promise<HelpfulVoteCount> {
    const [{ present }]: Array<{ present: boolean }> = await em.query(`SELECT to_regclass('solution_votes') IS NOT NULL AS present`);
    if (!present) return { total: 0, byCategory: new Map() };
    const rows: Array<{ category: string; votes: number }> = await em.query(
      `SELECT r.category, count(DISTINCT (v.request_id, v.user_id))::int AS votes
         FROM escrows job
         JOIN help_requests r ON r.id = job.request_id
         JOIN solution_votes v ON v.request_id = job.request_id
        WHERE job.expert_id = $1 AND job.funded_at IS NOT NULL
          AND v.user_id <> $1
          AND EXISTS (SELECT 1 FROM help_requests paid WHERE paid.customer_id = v.user_id AND paid.funded_at IS NOT NULL)
        GROUP BY r.category`,
      [expertId],
    );
    return { total: rows.reduce((sum, r) => sum + r.votes, 0), byCategory: new Map(rows.map((r) => [r.category, r.votes])) };
  }
}

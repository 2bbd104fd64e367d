import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { withTransaction } from '../database/transaction';
import { ReputationService } from '../experts/reputation.service';
import { solutionNotFound, SolutionQueriesService } from './solution-queries.service';

/**
 * "This solved my problem": one vote per signed-in user and published solution, never by the
 * request's own customer or expert. The primary key (request_id, user_id) decides a race: the
 * insert that finds the row already there is the second vote. In the same transaction the
 * solution's expert is rescored: the vote counts toward their reputation only when its voter has
 * paid for a job (ReputationService.countQualifyingHelpfulVotes), so throwaway accounts move nothing.
 */
@Injectable()
export class SolutionVotesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly queries: SolutionQueriesService,
    private readonly reputation: ReputationService,
  ) {}

  /** Records the vote; the solution's helpfulCount after it. */
  async vote(voter: Principal, requestId: string): Promise<number> {
    const row = await this.queries.load(this.ds.manager, requestId);
    if (!row?.solution_summary || !this.queries.isPublic(row)) throw solutionNotFound();
    if (voter.userId === row.customer_id || voter.userId === row.expert_id) {
      throw new DomainError('own_solution', 'You cannot vote for a solution of your own request.');
    }
    const expertId = row.expert_id;
    return withTransaction(this.ds, async (em) => {
      const [counted] = (await em.query(
        `WITH vote AS (
           INSERT INTO solution_votes (request_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1
         )
         SELECT (SELECT count(*) FROM vote)::int AS inserted,
                (SELECT count(*) FROM solution_votes WHERE request_id = $1)::int + (SELECT count(*) FROM vote)::int AS helpful_count`,
        [requestId, voter.userId],
      )) as Array<{ inserted: number; helpful_count: number }>;
      if (counted.inserted === 0) throw new DomainError('already_voted', 'You have already said this solution helped.');
      if (expertId) await this.reputation.refreshHelpfulVotes(em, expertId);
      return counted.helpful_count;
    });
  }
}

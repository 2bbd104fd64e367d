import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { DomainError, refusal } from '../common/errors/domain-error';
import { hydrate } from '../database/hydrate';
import { withTransaction } from '../database/transaction';
import { DisputeOpeningService } from '../disputes/dispute-opening.service';
import { recordJobOutcome } from '../experts/expert-counters';
import { EscrowReleaseService } from '../payments/escrow-release.service';
import { HoldbackService } from '../payments/holdback.service';
import { PayoutService } from '../payments/payout.service';
import { isUniqueViolation } from '../database/pg-errors';
import { HelpRequest } from '../requests/help-request.entity';
import { requestNotFound, RequestQueriesService } from '../requests/request-queries.service';
import { RequestLifecycle } from '../requests/request-lifecycle.service';
import { publishProblem } from '../solutions/domain/publication-rules';
import { SolutionPublishingService } from '../solutions/solution-publishing.service';
import { reviewProblem } from './domain/review-rules';
import { CreateReviewDto } from './dto/create-review.dto';
import { ReviewResponse } from './dto/review.response';
import { Review } from './review.entity';

export interface ReviewOutcome {
  review: Review;
  request: HelpRequest;
}

const alreadyReviewed = () => new DomainError('already_reviewed', 'This request has already been reviewed.');

/**
 * The owner's review of a resolved request. One transaction: request row lock, one-review check,
 * the review row, then either the release (escrow, ledger, payout job: completed) or the dispute
 * (disputed), the request's move with its events, the solution's publication when asked for, and
 * the expert's counters last (the lock order). The Transfer is attempted right after commit; its
 * job retries it.
 */
@Injectable()
export class ReviewsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly queries: RequestQueriesService,
    private readonly lifecycle: RequestLifecycle,
    private readonly releases: EscrowReleaseService,
    private readonly payouts: PayoutService,
    private readonly disputes: DisputeOpeningService,
    private readonly holdbacks: HoldbackService,
    private readonly solutions: SolutionPublishingService,
  ) {}

  async review(customer: Principal, id: string, dto: CreateReviewDto, now = new Date()): Promise<ReviewOutcome> {
    const problem = reviewProblem(dto);
    if (problem) throw new DomainError(problem.code, problem.message, problem.param);
    let releasedEscrowId: string | null = null;
    let holdbackEscrowId: string | null = null;
    const outcome = await withTransaction(this.ds, async (em) => {
      releasedEscrowId = null;
      holdbackEscrowId = null;
      const locked = await this.queries.lockVisible(em, customer, id);
      if (locked.request.customerId !== customer.userId) throw requestNotFound();
      // Before the state machine: a second review of the round is `already_reviewed`, not "request not resolved".
      const round = locked.request.round;
      if (await em.getRepository(Review).existsBy({ requestId: id, round })) throw alreadyReviewed();
      this.lifecycle.check(locked, { type: dto.resolved ? 'review_resolved' : 'review_unresolved' }, now);
      // Before any money moves: publishing needs the expert's public summary (as the request will be once completed).
      const unpublishable = dto.publishSolution ? publishProblem({ ...locked.request, status: 'completed' }) : null;
      if (unpublishable) throw refusal(unpublishable);
      const expertId = locked.awardedExpertId;
      if (!expertId) throw new Error(`request ${id} is ${locked.request.status} without an awarded expert`);
      const review = await this.insertReview(em, locked.request, expertId, dto, round);
      const reviewed = { type: 'review.created' as const, object: ReviewResponse.from(review), expertId };
      let request: HelpRequest;
      if (dto.resolved && round > 1) {
        // A reopened job fixed for good: the warranty holdback goes to the expert.
        const released = await this.holdbacks.release(em, id, now);
        holdbackEscrowId = released.escrow.id;
        const completed = await this.lifecycle.apply(em, locked, { type: 'review_resolved' }, { now, events: [reviewed, released.notice] });
        if (dto.publishSolution) await this.solutions.publishInTransaction(em, completed, now);
        request = completed.request;
      } else if (dto.resolved) {
        const released = await this.releases.releaseForRequest(em, id, { reason: 'review', now });
        releasedEscrowId = released.escrow.id;
        const completed = await this.lifecycle.apply(em, locked, { type: 'review_resolved' }, { now, events: [reviewed, released.notice] });
        if (dto.publishSolution) await this.solutions.publishInTransaction(em, completed, now);
        request = completed.request;
      } else {
        const reason = dto.comment as string;
        if (round > 1) await this.holdbacks.dispute(em, id, now);
        ({ request } = await this.disputes.openInTransaction(em, locked, { event: 'review_unresolved', openedBy: 'customer', userId: customer.userId, reason, now, events: [reviewed] }));
      }
      // A reopened job's round settles its holdback; the job was counted when it first completed.
      await recordJobOutcome(em, expertId, locked.request, { rating: dto.rating, reviewId: review.id, finished: dto.resolved && round === 1 ? 'completed' : undefined }, now);
      return { review, request };
    });
    if (releasedEscrowId) await this.payouts.payAfterCommit(releasedEscrowId);
    if (holdbackEscrowId) await this.payouts.payHoldbackAfterCommit(holdbackEscrowId);
    return outcome;
  }

  private async insertReview(em: EntityManager, request: HelpRequest, expertId: string, dto: CreateReviewDto, round: number): Promise<Review> {
    try {
      const inserted = await em
        .createQueryBuilder()
        .insert()
        .into(Review)
        .values({
          requestId: request.id,
          round,
          customerId: request.customerId,
          expertId,
          rating: dto.rating,
          resolved: dto.resolved,
          comment: dto.comment ?? null,
          publishSolution: dto.publishSolution ?? false,
        })
        .returning('*')
        .execute();
      return hydrate(em, Review, (inserted.raw as Array<Record<string, unknown>>)[0]);
    } catch (err) {
      // Backstop: the request row lock already serialises reviews of one request.
      if (isUniqueViolation(err, 'UQ_reviews_request_round')) throw alreadyReviewed();
      throw err;
    }
  }
}

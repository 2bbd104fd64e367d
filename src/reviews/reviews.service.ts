import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { withTransaction } from '../database/transaction';
import { DisputeOpeningService } from '../disputes/dispute-opening.service';
import { EventsService } from '../events/events.service';
import { EscrowService } from '../payments/escrow.service';
import { PayoutService } from '../payments/payout.service';
import { isUniqueViolation, refusal } from '../bids/bid-errors';
import { applyRequestEvent } from '../requests/domain/request-state';
import { RequestResponse } from '../requests/dto/request.response';
import { HelpRequest } from '../requests/help-request.entity';
import { requestNotFound, RequestQueriesService } from '../requests/request-queries.service';
import { reviewProblem } from './domain/review-rules';
import { CreateReviewDto } from './dto/create-review.dto';
import { ReviewResponse } from './dto/review.response';
import { lockHeldEscrow } from './held-escrow';
import { awardedExpertId, recordJobOutcome } from './request-parties';
import { Review } from './review.entity';

export interface ReviewOutcome {
  review: Review;
  request: HelpRequest;
}

const alreadyReviewed = () => new DomainError('already_reviewed', 'This request has already been reviewed.');

/**
 * The owner's review of a resolved request. One transaction: request row lock, one-review check,
 * state move, review row, expert counters, and either the release (ledger, payout job: completed)
 * or the dispute (disputed). The Transfer is attempted right after commit; its job retries it.
 */
@Injectable()
export class ReviewsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queries: RequestQueriesService,
    private readonly events: EventsService,
    private readonly escrows: EscrowService,
    private readonly payouts: PayoutService,
    private readonly disputes: DisputeOpeningService,
  ) {}

  async review(customer: Principal, id: string, dto: CreateReviewDto, now = new Date()): Promise<ReviewOutcome> {
    const problem = reviewProblem(dto);
    if (problem) throw new DomainError(problem.code, problem.message, problem.param);
    let releasedEscrowId: string | null = null;
    const outcome = await withTransaction(this.ds, async (em) => {
      releasedEscrowId = null;
      const request = await this.queries.findVisible(em, customer, id, true);
      if (request.customerId !== customer.userId) throw requestNotFound();
      // Before the state machine: a second review is `already_reviewed`, not "request not resolved".
      if (await em.getRepository(Review).existsBy({ requestId: id })) throw alreadyReviewed();
      const moved = applyRequestEvent(request, { type: dto.resolved ? 'review_resolved' : 'review_unresolved' }, { now, settings: this.config });
      if (!moved.ok) throw refusal(moved);
      const expertId = await awardedExpertId(em, request);
      if (!expertId) throw new Error(`request ${id} is ${request.status} without an awarded expert`);
      const review = await this.insertReview(em, request, expertId, dto);
      await recordJobOutcome(em, expertId, { rating: dto.rating, finished: dto.resolved ? 'completed' : undefined });
      await this.events.record(em, id, 'review.created', ReviewResponse.from(review), { expertId });
      if (!dto.resolved) {
        const reason = dto.comment as string;
        const opened = await this.disputes.openInTransaction(em, request, { event: 'review_unresolved', openedBy: 'customer', userId: customer.userId, reason, now });
        return { review, request: opened.request };
      }
      const held = await lockHeldEscrow(em, id);
      releasedEscrowId = (await this.escrows.releaseInTransaction(em, held.id, { reason: 'review', now })).id;
      await em.getRepository(HelpRequest).update(id, { status: moved.next.status, closedAt: now });
      const after = await em.getRepository(HelpRequest).findOneByOrFail({ id });
      await this.events.record(em, id, 'request.updated', RequestResponse.from(after, this.config), { expertId });
      return { review, request: after };
    });
    if (releasedEscrowId) await this.payouts.payAfterCommit(releasedEscrowId);
    return outcome;
  }

  private async insertReview(em: EntityManager, request: HelpRequest, expertId: string, dto: CreateReviewDto): Promise<Review> {
    const repo = em.getRepository(Review);
    try {
      const { id } = await repo.save(
        repo.create({
          requestId: request.id,
          customerId: request.customerId,
          expertId,
          rating: dto.rating,
          resolved: dto.resolved,
          comment: dto.comment ?? null,
          publishSolution: dto.publishSolution ?? false,
        }),
      );
      return repo.findOneByOrFail({ id });
    } catch (err) {
      // Backstop: the request row lock already serialises reviews of one request.
      if (isUniqueViolation(err, 'UQ_reviews_request')) throw alreadyReviewed();
      throw err;
    }
  }
}

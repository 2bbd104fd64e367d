import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { withTransaction } from '../database/transaction';
import { EventsService } from '../events/events.service';
import { changeExpertLoadForBid } from '../experts/expert-load';
import { CategoriesService } from '../categories/categories.service';
import { MatchingService } from '../matching/matching.service';
import { EscrowService } from '../payments/escrow.service';
import { applyRequestEvent } from './domain/request-state';
import { CreateRequestDto } from './dto/create-request.dto';
import { RequestResponse } from './dto/request.response';
import { UpdateRequestDto } from './dto/update-request.dto';
import { HelpRequest } from './help-request.entity';
import { rejectLiveBids } from './live-bids';
import { RequestQueriesService, requestNotFound } from './request-queries.service';
import { enforceRequestQuota } from './request-quota';
import { biddingWindowProblem, DEFAULT_BIDDING_WINDOW_MS, editRefusal } from './request-rules';
import { RequestTimersService } from './request-timers.service';

/**
 * Posting, editing and cancelling help requests. Each is one transaction: row lock, rule,
 * write, timers, matching, outbox event — so events, timers and matches exist iff the change commits.
 */
@Injectable()
export class RequestsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queries: RequestQueriesService,
    private readonly categories: CategoriesService,
    private readonly timers: RequestTimersService,
    private readonly matching: MatchingService,
    private readonly events: EventsService,
    private readonly escrows: EscrowService,
  ) {}

  async create(customer: Principal, dto: CreateRequestDto): Promise<HelpRequest> {
    const now = new Date();
    const closesAt = dto.biddingClosesAt ? biddingClosesAt(dto.biddingClosesAt, now) : new Date(now.getTime() + DEFAULT_BIDDING_WINDOW_MS);
    return withTransaction(this.ds, async (em) => {
      await this.categories.requireExisting(dto.category, 'category', em);
      await enforceRequestQuota(em, customer.userId);
      const repo = em.getRepository(HelpRequest);
      const { id } = await repo.save(
        repo.create({
          customerId: customer.userId,
          title: dto.title,
          description: dto.description,
          category: dto.category,
          maxBudgetAmount: dto.maxBudget?.amount ?? null,
          maxBudgetCurrency: dto.maxBudget?.currency ?? null,
          urgency: dto.urgency ?? 'normal',
          language: dto.language ?? 'en',
          status: 'open',
          biddingClosesAt: closesAt,
        }),
      );
      const request = await repo.findOneByOrFail({ id });
      await this.timers.scheduleExpiry(em, request);
      await this.matching.matchRequest(em, request, now);
      await this.events.record(em, id, 'request.created', RequestResponse.from(request, this.config));
      return request;
    });
  }

  async update(customer: Principal, id: string, dto: UpdateRequestDto): Promise<HelpRequest> {
    const now = new Date();
    const closesAt = dto.biddingClosesAt === undefined ? undefined : biddingClosesAt(dto.biddingClosesAt, now);
    return withTransaction(this.ds, async (em) => {
      const request = await this.lockOwn(em, customer, id);
      const refused = editRefusal(request);
      if (refused) throw new DomainError(refused.code, refused.message);
      const changes: Partial<HelpRequest> = {};
      if (dto.title !== undefined) changes.title = dto.title;
      if (dto.description !== undefined) changes.description = dto.description;
      if (dto.urgency !== undefined) changes.urgency = dto.urgency;
      if (dto.maxBudget !== undefined) {
        changes.maxBudgetAmount = dto.maxBudget?.amount ?? null;
        changes.maxBudgetCurrency = dto.maxBudget?.currency ?? null;
      }
      if (closesAt) changes.biddingClosesAt = closesAt;
      if (Object.keys(changes).length === 0) return request;

      const repo = em.getRepository(HelpRequest);
      await repo.update(id, changes);
      const after = await repo.findOneByOrFail({ id });
      // The old job stays queued and finds the request not yet due when it fires.
      if (closesAt) await this.timers.scheduleExpiry(em, after);
      await this.events.record(em, id, 'request.updated', RequestResponse.from(after, this.config));
      return after;
    });
  }

  /**
   * open or awaiting_payment → cancelled; every live bid (the accepted one too) is rejected. An
   * unfunded escrow is cancelled with it, and its PaymentIntent after commit (a durable job retries).
   */
  async cancel(customer: Principal, id: string): Promise<HelpRequest> {
    const now = new Date();
    const { after, cancelledEscrowId } = await withTransaction(this.ds, async (em) => {
      const request = await this.lockOwn(em, customer, id);
      const result = applyRequestEvent(request, { type: 'cancel' }, { now, settings: this.config });
      if (!result.ok) throw new DomainError(result.code, result.message);
      const repo = em.getRepository(HelpRequest);
      await repo.update(id, {
        status: result.next.status,
        acceptedBidId: result.next.acceptedBidId,
        acceptedAt: result.next.acceptedAt,
        closedAt: now,
      });
      const escrow = request.status === 'awaiting_payment' ? await this.escrows.cancelInTransaction(em, id, 'requested_by_customer') : null;
      if (request.acceptedBidId) await changeExpertLoadForBid(em, request.acceptedBidId, -1);
      const cancelled = await repo.findOneByOrFail({ id });
      await this.events.record(em, id, 'request.cancelled', RequestResponse.from(cancelled, this.config));
      await rejectLiveBids(em, this.events, request, request.status);
      return { after: cancelled, cancelledEscrowId: escrow?.id ?? null };
    });
    // After commit, never inside it (M5); a payment that still gets through is refunded (R5).
    if (cancelledEscrowId) await this.escrows.cancelPaymentIntentAfterCommit(cancelledEscrowId, 'requested_by_customer');
    return after;
  }

  /** The caller's own request, locked; anyone else's is the same 404 as a missing one. */
  private async lockOwn(em: EntityManager, customer: Principal, id: string): Promise<HelpRequest> {
    const request = await this.queries.findVisible(em, customer, id, true);
    if (request.customerId !== customer.userId) throw requestNotFound();
    return request;
  }
}

function biddingClosesAt(input: string, now: Date): Date {
  const at = new Date(input);
  const problem = biddingWindowProblem(at, now);
  if (problem) throw new DomainError('invalid_field', problem, 'biddingClosesAt');
  return at;
}

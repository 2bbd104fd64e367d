import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { withTransaction } from '../database/transaction';
import { CategoriesService } from '../categories/categories.service';
import { MatchingService } from '../matching/matching.service';
import { EscrowService } from '../payments/escrow.service';
import { CreateRequestDto } from './dto/create-request.dto';
import { UpdateRequestDto } from './dto/update-request.dto';
import { HelpRequest } from './help-request.entity';
import { RequestQueriesService, requestNotFound } from './request-queries.service';
import { enforceRequestQuota } from './request-quota';
import { biddingWindowProblem, DEFAULT_BIDDING_WINDOW_MS, editRefusal } from './request-rules';
import { LockedRequest, RequestLifecycle } from './request-lifecycle.service';

/**
 * Posting, editing and cancelling help requests. Each is one transaction through the request's
 * lifecycle (row lock, state table, write, events, timers) plus what the use case adds: matching
 * on post, the unfunded escrow on cancel.
 */
@Injectable()
export class RequestsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queries: RequestQueriesService,
    private readonly categories: CategoriesService,
    private readonly lifecycle: RequestLifecycle,
    private readonly matching: MatchingService,
    private readonly escrows: EscrowService,
  ) {}

  async create(customer: Principal, dto: CreateRequestDto): Promise<HelpRequest> {
    const now = new Date();
    const closesAt = dto.biddingClosesAt ? biddingClosesAt(dto.biddingClosesAt, now) : new Date(now.getTime() + DEFAULT_BIDDING_WINDOW_MS);
    return withTransaction(this.ds, async (em) => {
      await this.categories.requireExisting(dto.category, 'category', em);
      await enforceRequestQuota(em, customer.userId);
      const request = await this.lifecycle.create(em, {
        customerId: customer.userId,
        title: dto.title,
        description: dto.description,
        category: dto.category,
        maxBudgetAmount: dto.maxBudget?.amount ?? null,
        maxBudgetCurrency: dto.maxBudget?.currency ?? null,
        urgency: dto.urgency ?? 'normal',
        language: dto.language ?? 'en',
        biddingClosesAt: closesAt,
      });
      await this.matching.matchRequest(em, request, now);
      return request;
    });
  }

  async update(customer: Principal, id: string, dto: UpdateRequestDto): Promise<HelpRequest> {
    const now = new Date();
    const closesAt = dto.biddingClosesAt === undefined ? undefined : biddingClosesAt(dto.biddingClosesAt, now);
    return withTransaction(this.ds, async (em) => {
      const locked = await this.lockOwn(em, customer, id);
      const refused = editRefusal(locked.request);
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
      if (Object.keys(changes).length === 0) return locked.request;
      // A moved close schedules a new expiry; the old job finds the request not yet due and skips.
      return this.lifecycle.edit(em, locked, changes);
    });
  }

  /**
   * open or awaiting_payment → cancelled; every live bid (the accepted one too) is rejected. An
   * unfunded escrow is cancelled with it, and its PaymentIntent after commit (a durable job retries).
   */
  async cancel(customer: Principal, id: string): Promise<HelpRequest> {
    const now = new Date();
    const { request, cancelledEscrowId } = await withTransaction(this.ds, async (em) => {
      const locked = await this.lockOwn(em, customer, id);
      // The request's own refusal (request_in_progress once money is held) comes before any escrow is touched.
      this.lifecycle.check(locked, { type: 'cancel' }, now);
      const escrow = await this.escrows.cancelUnfunded(em, id, 'requested_by_customer');
      const { request: cancelled } = await this.lifecycle.apply(em, locked, { type: 'cancel' }, { now });
      return { request: cancelled, cancelledEscrowId: escrow?.id ?? null };
    });
    // After commit, never inside it (M5); a payment that still gets through is refunded (R5).
    if (cancelledEscrowId) await this.escrows.cancelPaymentIntentAfterCommit(cancelledEscrowId, 'requested_by_customer');
    return request;
  }

  /** The caller's own request, locked; anyone else's is the same 404 as a missing one. */
  private async lockOwn(em: EntityManager, customer: Principal, id: string): Promise<LockedRequest> {
    const locked = await this.queries.lockVisible(em, customer, id);
    if (locked.request.customerId !== customer.userId) throw requestNotFound();
    return locked;
  }
}

function biddingClosesAt(input: string, now: Date): Date {
  const at = new Date(input);
  const problem = biddingWindowProblem(at, now);
  if (problem) throw new DomainError('invalid_field', problem, 'biddingClosesAt');
  return at;
}

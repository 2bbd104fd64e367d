import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { withTransaction } from '../database/transaction';
import { EventsService } from '../events/events.service';
import { changeExpertLoadForBid } from '../experts/expert-load';
import { JobsService } from '../jobs/jobs.service';
import { EscrowService } from '../payments/escrow.service';
import { Bid } from '../bids/bid.entity';
import { BidResponse } from '../bids/dto/bid.response';
import { applyRequestEvent, paymentWindowEndsAt } from './domain/request-state';
import { RequestResponse } from './dto/request.response';
import { HelpRequest } from './help-request.entity';
import { rejectLiveBids } from './live-bids';

export const EXPIRE_JOB = 'request.expire';
export const PAYMENT_WINDOW_JOB = 'request.payment-window-lapse';

interface TimerJob {
  requestId: string;
}

/**
 * The request's durable timers: bidding close (open → expired) and the payment window
 * (awaiting_payment → open). Jobs are scheduled in the transaction that sets the time, and
 * firing re-checks everything under the row lock, so a job that is early (the time moved),
 * late, duplicated or run by two processes moves the request at most once.
 */
@Injectable()
export class RequestTimersService implements OnModuleInit {
  private readonly logger = new Logger(RequestTimersService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly events: EventsService,
    private readonly escrows: EscrowService,
  ) {}

  onModuleInit(): void {
    this.jobs.register<TimerJob>(EXPIRE_JOB, async ({ requestId }) => void (await this.expire(requestId)));
    this.jobs.register<TimerJob>(PAYMENT_WINDOW_JOB, async ({ requestId }) => void (await this.lapsePaymentWindow(requestId)));
  }

  /** Call in the transaction that creates the request or moves biddingClosesAt. */
  scheduleExpiry(em: EntityManager, request: HelpRequest): Promise<void> {
    const at = request.biddingClosesAt;
    return this.jobs.scheduleInTransaction(em, EXPIRE_JOB, { requestId: request.id }, at, `${request.id}:${at.toISOString()}`);
  }

  /** Call in the transaction that accepts a bid. */
  schedulePaymentWindow(em: EntityManager, request: HelpRequest): Promise<void> {
    const at = paymentWindowEndsAt(request, this.config);
    if (!at) throw new Error('schedulePaymentWindow on a request without acceptedAt');
    return this.jobs.scheduleInTransaction(em, PAYMENT_WINDOW_JOB, { requestId: request.id }, at, `${request.id}:${at.toISOString()}`);
  }

  /** open → expired once bidding has closed with no accepted bid; live bids are rejected. */
  async expire(requestId: string, now = new Date()): Promise<boolean> {
    return withTransaction(this.ds, async (em) => {
      const request = await this.lock(em, requestId);
      if (!request) return false;
      const result = applyRequestEvent(request, { type: 'bidding_closed' }, { now, settings: this.config });
      if (!result.ok) return this.skip(EXPIRE_JOB, requestId, result.code);
      await em.getRepository(HelpRequest).update(request.id, { status: result.next.status, closedAt: now });
      const after = await em.getRepository(HelpRequest).findOneByOrFail({ id: request.id });
      await this.events.record(em, request.id, 'request.expired', RequestResponse.from(after, this.config));
      const rejected = await rejectLiveBids(em, this.events, request, request.status);
      this.logger.log({ requestId, rejectedBids: rejected.length }, 'request expired');
      return true;
    });
  }

  /** awaiting_payment → open when the escrow was not funded in time; the accepted bid is active again. */
  async lapsePaymentWindow(requestId: string, now = new Date()): Promise<boolean> {
    return withTransaction(this.ds, async (em) => {
      const request = await this.lock(em, requestId);
      if (!request) return false;
      const bidId = request.acceptedBidId;
      const result = applyRequestEvent(request, { type: 'payment_window_lapsed' }, { now, settings: this.config });
      if (!result.ok) return this.skip(PAYMENT_WINDOW_JOB, requestId, result.code);
      await em.getRepository(HelpRequest).update(request.id, {
        status: result.next.status,
        acceptedBidId: null,
        acceptedAt: null,
      });
      const moved = bidId ? await em.getRepository(Bid).update({ id: bidId, status: 'accepted' }, { status: 'active' }) : null;
      // Only a bid that really was the accepted one stops being the expert's load.
      if (bidId && moved?.affected === 1) await changeExpertLoadForBid(em, bidId, -1);
      // The unfunded escrow is cancelled here; its PaymentIntent by a job after commit (a late payment is refunded: R5).
      await this.escrows.cancelInTransaction(em, request.id, 'abandoned');
      const after = await em.getRepository(HelpRequest).findOneByOrFail({ id: request.id });
      // Open again, so bidding close applies again: the first expiry job found the request
      // awaiting payment and did nothing. A close already past makes this job due at once.
      await this.scheduleExpiry(em, after);
      await this.events.record(em, request.id, 'request.updated', RequestResponse.from(after, this.config));
      // The expert learns that their bid is no longer accepted (active again).
      const reinstated = bidId ? await em.getRepository(Bid).findOneBy({ id: bidId }) : null;
      if (reinstated) {
        await this.events.record(em, request.id, 'bid.updated', BidResponse.from(reinstated), { expertId: reinstated.expertId });
      }
      return true;
    });
  }

  private lock(em: EntityManager, id: string): Promise<HelpRequest | null> {
    return em.getRepository(HelpRequest).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  private skip(job: string, requestId: string, code: string): false {
    // Normal when the request moved on (accepted, cancelled) or the time was pushed back.
    this.logger.debug({ job, requestId, code }, 'timer skipped');
    return false;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { refusal } from '../bids/bid-errors';
import { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EventsService } from '../events/events.service';
import { applyRequestEvent, RequestEventType } from '../requests/domain/request-state';
import { RequestResponse } from '../requests/dto/request.response';
import { HelpRequest } from '../requests/help-request.entity';
import { awardedExpertId } from '../reviews/request-parties';
import { Dispute } from './dispute.entity';
import { DisputeOpener, DISPUTES_PER_DAY, disputeQuotaRetryAfterSeconds } from './domain/dispute-rules';
import { DisputeResponse } from './dto/dispute.response';

/** The request events that open a dispute, and who opens it by each. */
export type DisputeOpeningEvent = Extract<RequestEventType, 'open_dispute' | 'review_unresolved' | 'hold_limit_reached' | 'chargeback'>;

export interface OpenDispute {
  event: DisputeOpeningEvent;
  openedBy: DisputeOpener;
  /** The customer who opened it; omit for the system and chargebacks. */
  userId?: string;
  reason: string;
  now: Date;
}

/**
 * Moves a request to `disputed` and files the dispute for an admin, inside the caller's
 * transaction, with the request row already locked by the caller. Used by the customer's
 * dispute, a "not fixed" review, the hold-limit timer, and payments' chargeback handler
 * (`charge.dispute.created`, with event 'chargeback' and openedBy 'chargeback').
 * Records 'dispute.opened' and 'request.updated'.
 */
@Injectable()
export class DisputeOpeningService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventsService,
  ) {}

  async openInTransaction(em: EntityManager, request: HelpRequest, open: OpenDispute): Promise<{ request: HelpRequest; dispute: Dispute }> {
    const moved = applyRequestEvent(request, { type: open.event }, { now: open.now, settings: this.config });
    if (!moved.ok) throw refusal(moved);
    await em.getRepository(HelpRequest).update(request.id, { status: moved.next.status });
    const disputes = em.getRepository(Dispute);
    const { id } = await disputes.save(
      disputes.create({
        requestId: request.id,
        status: 'open',
        openedBy: open.openedBy,
        openedByUserId: open.userId ?? null,
        reason: open.reason,
      }),
    );
    const dispute = await disputes.findOneByOrFail({ id });
    const after = await em.getRepository(HelpRequest).findOneByOrFail({ id: request.id });
    const expertId = await awardedExpertId(em, after);
    await this.events.record(em, request.id, 'dispute.opened', DisputeResponse.from(dispute), { expertId });
    await this.events.record(em, request.id, 'request.updated', RequestResponse.from(after, this.config), { expertId });
    return { request: after, dispute };
  }

  /**
   * API4: at most DISPUTES_PER_DAY disputes per customer per rolling day. A transaction-scoped
   * advisory lock makes one customer's concurrent disputes count one after another.
   */
  async enforceQuota(em: EntityManager, customerId: string): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtextextended('dispute-quota:' || $1, 0))`, [customerId]);
    const [row] = (await em.query(
      `SELECT count(*)::int AS "count", min(created_at) AS "oldest", clock_timestamp() AS "now"
         FROM disputes
        WHERE opened_by_user_id = $1 AND created_at > clock_timestamp() - interval '1 day'`,
      [customerId],
    )) as Array<{ count: number; oldest: Date | null; now: Date }>;
    if (row.count < DISPUTES_PER_DAY || !row.oldest) return;
    const retryAfter = disputeQuotaRetryAfterSeconds(row.oldest, row.now);
    throw new DomainError('quota_exceeded', `At most ${DISPUTES_PER_DAY} disputes per day; try again in ${retryAfter} s.`, undefined, {
      'Retry-After': String(retryAfter),
    });
  }
}

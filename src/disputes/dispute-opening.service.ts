import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { hydrate } from '../database/hydrate';
import { lockQuota } from '../database/locks';
import { EventDraft } from '../events/events.service';
import { RequestEventType } from '../requests/domain/request-state';
import { HelpRequest } from '../requests/help-request.entity';
import { LockedRequest, RequestLifecycle } from '../requests/request-lifecycle.service';
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
  /** Events of the same use case to record before dispute.opened (review.created, escrow.refunded). */
  events?: readonly EventDraft[];
}

/**
 * Files a dispute and moves the request to `disputed` through its lifecycle, inside the caller's
 * transaction with the request locked. Used by the customer's dispute, a "not fixed" review, the
 * hold-limit timer, a chargeback and a refund made outside Fixbid: it sits below payments, which
 * calls it, and above the request lifecycle only. Records dispute.opened and request.updated.
 */
@Injectable()
export class DisputeOpeningService {
  constructor(private readonly lifecycle: RequestLifecycle) {}

  async openInTransaction(em: EntityManager, locked: LockedRequest, open: OpenDispute): Promise<{ request: HelpRequest; dispute: Dispute }> {
    // The request's refusal first: a request that cannot become disputed gets no dispute row.
    this.lifecycle.check(locked, { type: open.event }, open.now);
    const inserted = await em
      .createQueryBuilder()
      .insert()
      .into(Dispute)
      .values({ requestId: locked.request.id, status: 'open', openedBy: open.openedBy, openedByUserId: open.userId ?? null, reason: open.reason })
      .returning('*')
      .execute();
    const dispute = hydrate(em, Dispute, (inserted.raw as Array<Record<string, unknown>>)[0]);
    const { request } = await this.lifecycle.apply(em, locked, { type: open.event }, {
      now: open.now,
      events: [...(open.events ?? []), { type: 'dispute.opened', object: DisputeResponse.from(dispute) }],
    });
    return { request, dispute };
  }

  /**
   * API4: at most DISPUTES_PER_DAY disputes per customer per rolling day. The quota lock makes
   * one customer's concurrent disputes count one after another.
   */
  async enforceQuota(em: EntityManager, customerId: string): Promise<void> {
    await lockQuota(em, 'dispute-quota', customerId);
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

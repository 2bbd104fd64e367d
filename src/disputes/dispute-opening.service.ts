import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { hydrate, updatedRows } from '../database/hydrate';
import { lockQuota, lockRows } from '../database/locks';
import { EventDraft, EventsService } from '../events/events.service';
import { RequestEventType } from '../requests/domain/request-state';
import { HelpRequest } from '../requests/help-request.entity';
import { LockedRequest, RequestLifecycle } from '../requests/request-lifecycle.service';
import { Dispute } from './dispute.entity';
import { DisputeKind, DisputeOpener, REQUEST_DISPUTE_KINDS, DisputeOutcome, DISPUTES_PER_DAY, disputeQuotaRetryAfterSeconds } from './domain/dispute-rules';
import { DisputeResponse } from './dto/dispute.response';

/** The request events that open a dispute, and who opens it by each. */
export type DisputeOpeningEvent = Extract<RequestEventType, 'open_dispute' | 'review_unresolved' | 'hold_limit_reached' | 'chargeback' | 'reopen_escalated'>;

export interface OpenDispute {
  event: DisputeOpeningEvent;
  openedBy: DisputeOpener;
  /** customer unless said (chargeback for Stripe's; warranty after a reopen). */
  kind?: Extract<DisputeKind, 'customer' | 'chargeback' | 'warranty'>;
  /** The escrow whose money it is about, when known. */
  escrowId?: string | null;
  /** The Stripe dispute of a chargeback. */
  reference?: string | null;
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
  constructor(
    private readonly lifecycle: RequestLifecycle,
    private readonly events: EventsService,
  ) {}

  async openInTransaction(em: EntityManager, locked: LockedRequest, open: OpenDispute): Promise<{ request: HelpRequest; dispute: Dispute }> {
    // The request's refusal first: a request that cannot become disputed gets no dispute row.
    this.lifecycle.check(locked, { type: open.event }, open.now);
    const inserted = await em
      .createQueryBuilder()
      .insert()
      .into(Dispute)
      .values({
        requestId: locked.request.id,
        status: 'open',
        // After a warranty reopen a customer's dispute is about the holdback: a warranty dispute.
        kind: open.kind ?? ((locked.request.round ?? 1) > 1 ? 'warranty' : 'customer'),
        escrowId: open.escrowId ?? null,
        reference: open.reference ?? null,
        openedBy: open.openedBy,
        openedByUserId: open.userId ?? null,
        reason: open.reason,
      })
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
   * A dispute about money only (post_payout_chargeback, refund_failed): the request keeps its
   * status. One per kind and reference (the Stripe dispute, our refund), so a retried job opens
   * it once; returns null when it existed already. Records dispute.opened.
   */
  async openDetached(
    em: EntityManager,
    open: { requestId: string; escrowId: string; kind: Extract<DisputeKind, 'post_payout_chargeback' | 'refund_failed'>; reference: string; reason: string; events?: readonly EventDraft[] },
  ): Promise<Dispute | null> {
    const inserted = (await em.query(
      `INSERT INTO disputes (request_id, escrow_id, status, kind, reference, opened_by, reason)
       VALUES ($1, $2, 'open', $3, $4, 'system', $5)
       ON CONFLICT (kind, reference) WHERE reference IS NOT NULL DO NOTHING
       RETURNING *`,
      [open.requestId, open.escrowId, open.kind, open.reference, open.reason],
    )) as Array<Record<string, unknown>>;
    if (!inserted[0]) return null;
    const dispute = hydrate(em, Dispute, inserted[0]);
    await this.events.recordAll(em, open.requestId, [...(open.events ?? []), { type: 'dispute.opened', object: DisputeResponse.from(dispute) }]);
    return dispute;
  }

  /** The request's open dispute that holds it in `disputed` (customer, chargeback or warranty), locked; null when none. */
  async lockOpenRequestDispute(em: EntityManager, requestId: string): Promise<Dispute | null> {
    const rows = await lockRows(em, 'disputes', 'request_id', [requestId], { where: `AND status = 'open' AND kind = ANY($2::text[])`, params: [REQUEST_DISPUTE_KINDS] });
    return rows[0] ? hydrate(em, Dispute, rows[0]) : null;
  }

  /** Closes a dispute without an admin (Stripe decided a chargeback); the caller moves the request and records the events. */
  async closeBySystem(em: EntityManager, disputeId: string, outcome: Extract<DisputeOutcome, 'chargeback_won' | 'chargeback_lost'>, now: Date): Promise<Dispute> {
    const [row] = updatedRows(
      await em.query(`UPDATE disputes SET status = 'resolved', outcome = $2, resolved_at = $3, updated_at = now() WHERE id = $1 RETURNING *`, [disputeId, outcome, now]),
    );
    return hydrate(em, Dispute, row);
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

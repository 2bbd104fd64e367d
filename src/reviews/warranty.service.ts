import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { withTransaction } from '../database/transaction';
import { DisputeOpeningService } from '../disputes/dispute-opening.service';
import { HoldbackService } from '../payments/holdback.service';
import { recordJobReopened } from '../experts/expert-counters';
import { PayoutService } from '../payments/payout.service';
import { HelpRequest } from '../requests/help-request.entity';
import { requestNotFound, RequestQueriesService } from '../requests/request-queries.service';
import { RequestLifecycle } from '../requests/request-lifecycle.service';
import { ReopenRequestDto } from './dto/reopen-request.dto';

/**
 * The fix warranty (issue 10). Within the accepted bid's `warrantyDays` after the release the owner
 * may reopen the job once: it goes back to the same expert (`in_progress`, round 2, no new
 * payment) while the holdback stays held. A new resolution and review settle the holdback; a
 * reopened job not resolved within REOPEN_RESOLVE_DAYS goes to an admin (a `warranty` dispute).
 * No reopen: when the warranty ends the holdback is released and paid (a durable timer, once
 * across processes: C4). The state table says what may happen (request-state.ts).
 */
@Injectable()
export class WarrantyService implements OnModuleInit {
  private readonly logger = new Logger(WarrantyService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly queries: RequestQueriesService,
    private readonly lifecycle: RequestLifecycle,
    private readonly holdbacks: HoldbackService,
    private readonly payouts: PayoutService,
    private readonly disputes: DisputeOpeningService,
  ) {}

  onModuleInit(): void {
    this.lifecycle.handleTimer('warranty_release', async (em, locked, now) => {
      const released = await this.holdbacks.release(em, locked.request.id, now);
      await this.lifecycle.apply(em, locked, { type: 'warranty_ended' }, { now, events: [released.notice] });
      this.logger.log({ requestId: locked.request.id, holdback: released.escrow.warrantyHoldback }, 'warranty ended: holdback released');
      return { afterCommit: async () => void (await this.payouts.payHoldbackAfterCommit(released.escrow.id)) };
    });
    this.lifecycle.handleTimer('reopen_escalation', async (em, locked, now) => {
      await this.holdbacks.dispute(em, locked.request.id, now);
      const reason = 'The reopened job was not resolved again in time (REOPEN_RESOLVE_DAYS): decide the warranty holdback.';
      await this.disputes.openInTransaction(em, locked, { event: 'reopen_escalated', openedBy: 'system', kind: 'warranty', reason, now });
    });
  }

  /** POST /v1/requests/:id/reopen (the owner; completed; warranty running; once). */
  async reopen(customer: Principal, id: string, dto: ReopenRequestDto, now = new Date()): Promise<HelpRequest> {
    return withTransaction(this.ds, async (em) => {
      const locked = await this.queries.lockVisible(em, customer, id);
      if (locked.request.customerId !== customer.userId) throw requestNotFound();
      const completedAt = locked.request.closedAt ?? now;
      const { request } = await this.lifecycle.apply(em, locked, { type: 'reopen' }, { now, data: { reopenReason: dto.reason } });
      // Reputation counts fixes that stayed fixed: this one did not (the expert's profile, last in the lock order).
      if (locked.awardedExpertId) await recordJobReopened(em, locked.awardedExpertId, request, completedAt, now);
      return request;
    });
  }
}

import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { withTransaction } from '../database/transaction';
import { EventsService } from '../events/events.service';
import { JobsService } from '../jobs/jobs.service';
import { EscrowService } from '../payments/escrow.service';
import { PayoutService } from '../payments/payout.service';
import { applyRequestEvent } from '../requests/domain/request-state';
import { RequestResponse } from '../requests/dto/request.response';
import { HelpRequest } from '../requests/help-request.entity';
import { lockHeldEscrow } from './held-escrow';
import { awardedExpertId, lockRequest, recordJobOutcome } from './request-parties';
import { Review } from './review.entity';

export const AUTO_RELEASE_JOB = 'request.auto-release';

/**
 * A resolved request whose review window passed with no review is released to the expert
 * (`completed`, autoReleased). The job is scheduled in the resolve transaction; firing re-checks
 * under the request's row lock, so it races a review or an admin safely (C2) and runs once
 * across processes (R7): whoever locks first moves the request, the others find it moved.
 */
@Injectable()
export class AutoReleaseService implements OnModuleInit {
  private readonly logger = new Logger(AutoReleaseService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly events: EventsService,
    private readonly escrows: EscrowService,
    private readonly payouts: PayoutService,
  ) {}

  onModuleInit(): void {
    this.jobs.register<{ requestId: string }>(AUTO_RELEASE_JOB, async ({ requestId }) => void (await this.autoRelease(requestId)));
  }

  /** Call in the resolve transaction (reviewDueAt set). */
  scheduleAutoRelease(em: EntityManager, request: HelpRequest): Promise<void> {
    const at = request.reviewDueAt;
    if (!at) throw new Error('scheduleAutoRelease on a request without reviewDueAt');
    return this.jobs.scheduleInTransaction(em, AUTO_RELEASE_JOB, { requestId: request.id }, at, `${request.id}:${at.toISOString()}`);
  }

  /** resolved → completed once reviewDueAt has passed with no review; false when there was nothing to do. */
  async autoRelease(requestId: string, now = new Date()): Promise<boolean> {
    const escrowId = await withTransaction(this.ds, async (em) => {
      const request = await lockRequest(em, requestId);
      if (!request) return null;
      if (await em.getRepository(Review).existsBy({ requestId })) return this.skip(requestId, 'reviewed');
      const moved = applyRequestEvent(request, { type: 'auto_release' }, { now, settings: this.config });
      if (!moved.ok) return this.skip(requestId, moved.code);
      const held = await lockHeldEscrow(em, requestId);
      const escrow = await this.escrows.releaseInTransaction(em, held.id, { reason: 'auto_release', now });
      await em.getRepository(HelpRequest).update(requestId, { status: moved.next.status, autoReleased: true, closedAt: now });
      const expertId = await awardedExpertId(em, request);
      if (expertId) await recordJobOutcome(em, expertId, { finished: 'completed' });
      const after = await em.getRepository(HelpRequest).findOneByOrFail({ id: requestId });
      await this.events.record(em, requestId, 'request.updated', RequestResponse.from(after, this.config), { expertId });
      this.logger.log({ requestId }, 'review window passed: escrow released automatically');
      return escrow.id;
    });
    if (!escrowId) return false;
    await this.payouts.payAfterCommit(escrowId);
    return true;
  }

  private skip(requestId: string, why: string): null {
    // Normal: reviewed, disputed or released before the window ended, or the job ran twice.
    this.logger.debug({ job: AUTO_RELEASE_JOB, requestId, why }, 'timer skipped');
    return null;
  }
}

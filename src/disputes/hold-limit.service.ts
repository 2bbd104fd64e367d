import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { withTransaction } from '../database/transaction';
import { JobsService } from '../jobs/jobs.service';
import { holdLimitAt } from '../requests/domain/request-state';
import { HelpRequest } from '../requests/help-request.entity';
import { lockRequest } from '../reviews/request-parties';
import { DisputeOpeningService } from './dispute-opening.service';

export const HOLD_LIMIT_JOB = 'request.hold-limit-escalation';

/**
 * Stripe is no escrow service: money may not sit on the platform indefinitely. A request still
 * `in_progress` MAX_HOLD_DAYS after funding goes to `disputed` for an admin (opened by the system).
 * The job is scheduled in the funding transaction; firing re-checks everything under the row lock,
 * so an early, late, duplicated or doubly-run job escalates at most once.
 */
@Injectable()
export class HoldLimitService implements OnModuleInit {
  private readonly logger = new Logger(HoldLimitService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly disputes: DisputeOpeningService,
  ) {}

  onModuleInit(): void {
    this.jobs.register<{ requestId: string }>(HOLD_LIMIT_JOB, async ({ requestId }) => void (await this.escalate(requestId)));
  }

  /** Call in the transaction that funds the escrow (the request's fundedAt set). */
  scheduleHoldLimit(em: EntityManager, request: HelpRequest): Promise<void> {
    const at = holdLimitAt(request, this.config);
    if (!at) throw new Error('scheduleHoldLimit on a request without fundedAt');
    return this.jobs.scheduleInTransaction(em, HOLD_LIMIT_JOB, { requestId: request.id }, at, `${request.id}:${at.toISOString()}`);
  }

  /** in_progress → disputed once the hold limit has passed; false when there was nothing to do. */
  async escalate(requestId: string, now = new Date()): Promise<boolean> {
    return withTransaction(this.ds, async (em) => {
      const request = await lockRequest(em, requestId);
      if (!request) return false;
      if (request.status !== 'in_progress') return this.skip(requestId, request.status);
      const days = this.config.maxHoldDays;
      const reason = `Still in progress ${days} days after funding: an admin must release or refund the escrow.`;
      try {
        await this.disputes.openInTransaction(em, request, { event: 'hold_limit_reached', openedBy: 'system', reason, now });
      } catch (err) {
        // timer_not_due: funded later than this job assumed; the job scheduled then will fire.
        if ((err as { code?: string }).code === 'timer_not_due') return this.skip(requestId, 'timer_not_due');
        throw err;
      }
      this.logger.warn({ requestId }, 'hold limit reached: request disputed for an admin');
      return true;
    });
  }

  private skip(requestId: string, why: string): false {
    this.logger.debug({ job: HOLD_LIMIT_JOB, requestId, why }, 'timer skipped');
    return false;
  }
}

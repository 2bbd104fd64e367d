import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RequestLifecycle } from '../requests/request-lifecycle.service';
import { DisputeOpeningService } from './dispute-opening.service';

/**
 * What the hold-limit timer does. Stripe is no escrow service: money may not sit on the platform
 * indefinitely. A request still `in_progress` MAX_HOLD_DAYS after funding goes to `disputed` for an
 * admin (opened by the system). The lifecycle schedules the timer when the request is funded and
 * fires it under the row lock only while the request is still in progress and due.
 */
@Injectable()
export class HoldLimitService implements OnModuleInit {
  private readonly logger = new Logger(HoldLimitService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly lifecycle: RequestLifecycle,
    private readonly disputes: DisputeOpeningService,
  ) {}

  onModuleInit(): void {
    this.lifecycle.handleTimer('hold_limit_escalation', async (em, locked, now) => {
      const reason = `Still in progress ${this.config.maxHoldDays} days after funding: an admin must release or refund the escrow.`;
      await this.disputes.openInTransaction(em, locked, { event: 'hold_limit_reached', openedBy: 'system', reason, now });
      this.logger.warn({ requestId: locked.request.id }, 'hold limit reached: request disputed for an admin');
    });
  }
}

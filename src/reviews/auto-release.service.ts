import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { recordJobOutcome } from '../experts/expert-counters';
import { EscrowReleaseService } from '../payments/escrow-release.service';
import { HoldbackService } from '../payments/holdback.service';
import { PayoutService } from '../payments/payout.service';
import { RequestLifecycle } from '../requests/request-lifecycle.service';

/**
 * What the auto-release timer does: a resolved request whose review window passed with no review
 * is released to the expert (`completed`, autoReleased). The lifecycle fires the timer under the
 * request's row lock and only while the request is still resolved and due, so it races a review
 * or an admin safely (C2) and runs once across processes (R7).
 */
@Injectable()
export class AutoReleaseService implements OnModuleInit {
  private readonly logger = new Logger(AutoReleaseService.name);

  constructor(
    private readonly lifecycle: RequestLifecycle,
    private readonly releases: EscrowReleaseService,
    private readonly payouts: PayoutService,
    private readonly holdbacks: HoldbackService,
  ) {}

  onModuleInit(): void {
    this.lifecycle.handleTimer('auto_release', async (em, locked, now) => {
      const requestId = locked.request.id;
      if (locked.request.round > 1) {
        // A reopened job left unreviewed: the warranty holdback goes to the expert.
        const holdback = await this.holdbacks.release(em, requestId, now);
        await this.lifecycle.apply(em, locked, { type: 'auto_release' }, { now, events: [holdback.notice] });
        return { afterCommit: async () => void (await this.payouts.payHoldbackAfterCommit(holdback.escrow.id)) };
      }
      const released = await this.releases.releaseForRequest(em, requestId, { reason: 'auto_release', now });
      await this.lifecycle.apply(em, locked, { type: 'auto_release' }, { now, events: [released.notice] });
      if (locked.awardedExpertId) await recordJobOutcome(em, locked.awardedExpertId, locked.request, { finished: 'completed' }, now);
      this.logger.log({ requestId }, 'review window passed: escrow released automatically');
      return { afterCommit: async () => void (await this.payouts.payAfterCommit(released.escrow.id)) };
    });
  }
}

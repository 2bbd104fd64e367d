import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EventsService } from '../events/events.service';
import { applyRequestEvent } from '../requests/domain/request-state';
import { RequestResponse } from '../requests/dto/request.response';
import { HelpRequest } from '../requests/help-request.entity';
import { CollaboratingServices } from './collaborating-services';
import { escrowEventObject } from './dto/escrow.response';
import { lockEscrowWithRequest } from './escrow-locks';
import { Escrow } from './escrow.entity';
import { DisputeView } from './stripe/stripe-objects';

/**
 * charge.dispute.created — a chargeback: the customer's bank takes the money back. Release and
 * refunds freeze (a pending payout waits too), and the request goes to `disputed` for an admin.
 */
@Injectable()
export class ChargebackService {
  private readonly logger = new Logger(ChargebackService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventsService,
    private readonly collaborators: CollaboratingServices,
  ) {}

  async applyChargeback(em: EntityManager, dispute: DisputeView, now = new Date()): Promise<void> {
    const found = await em.getRepository(Escrow).findOne({ where: { chargeId: dispute.chargeId }, select: { id: true } });
    const locked = found ? await lockEscrowWithRequest(em, found.id) : null;
    if (!locked) return;
    const { request, escrow } = locked;
    if (!escrow.frozen) await em.getRepository(Escrow).update(escrow.id, { frozen: true });
    const moved = applyRequestEvent(request, { type: 'chargeback' }, { now, settings: this.config });
    if (!moved.ok) {
      // Already disputed, or completed (the money was released): frozen, nothing else moves here.
      this.logger.warn({ requestId: request.id, dispute: dispute.id, status: request.status }, 'chargeback on a request that cannot become disputed');
      return;
    }
    const reason = `Chargeback opened by the customer's bank (${dispute.reason}, Stripe dispute ${dispute.id}).`;
    const opening = this.collaborators.disputeOpening();
    if (opening) {
      await opening.openInTransaction(em, request, { event: 'chargeback', openedBy: 'chargeback', reason, now });
      return;
    }
    // Without the disputes feature: the same state move and events, no dispute row.
    await em.getRepository(HelpRequest).update(request.id, { status: moved.next.status });
    const after = await em.getRepository(HelpRequest).findOneByOrFail({ id: request.id });
    const frozen = await em.getRepository(Escrow).findOneByOrFail({ id: escrow.id });
    const expertId = escrow.expertId;
    await this.events.record(em, request.id, 'dispute.opened', { requestId: request.id, openedBy: 'chargeback', reason, escrow: escrowEventObject(frozen) }, { expertId });
    await this.events.record(em, request.id, 'request.updated', RequestResponse.from(after, this.config), { expertId });
  }
}

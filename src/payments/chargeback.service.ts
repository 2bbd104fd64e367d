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
    // By charge, or by PaymentIntent when the chargeback arrives before our funding webhook did:
    // the freeze must not be lost, or the money could still be released.
    const repo = em.getRepository(Escrow);
    const found =
      (await repo.findOne({ where: { chargeId: dispute.chargeId }, select: { id: true } })) ??
      (dispute.paymentIntentId ? await repo.findOne({ where: { paymentIntentId: dispute.paymentIntentId }, select: { id: true } }) : null);
    const locked = found ? await lockEscrowWithRequest(em, found.id) : null;
    if (!locked) {
      this.logger.warn({ dispute: dispute.id, charge: dispute.chargeId }, 'chargeback on a charge with no escrow of ours');
      return;
    }
    const { request, escrow } = locked;
    if (!escrow.frozen) await repo.update(escrow.id, { frozen: true });
    if (escrow.status !== 'held') {
      // An older escrow of this request (refunded after a lapse, say): the request's current
      // escrow is not the one being charged back, so the request does not move.
      this.logger.warn({ requestId: request.id, escrowId: escrow.id, status: escrow.status }, 'chargeback on an escrow that is not held');
      return;
    }
    const reason = `Chargeback opened by the customer's bank (${dispute.reason}, Stripe dispute ${dispute.id}).`;
    await this.disputeRequest(em, request, escrow, reason, now);
  }

  /**
   * The request of a frozen, held escrow goes to `disputed` for an admin. Also called by funding
   * when the chargeback arrived before the payment_intent.succeeded webhook.
   */
  async disputeRequest(em: EntityManager, request: HelpRequest, escrow: Escrow, reason: string, now: Date): Promise<void> {
    const moved = applyRequestEvent(request, { type: 'chargeback' }, { now, settings: this.config });
    if (!moved.ok) {
      // Already disputed, or completed (the money was released): frozen, nothing else moves here.
      this.logger.warn({ requestId: request.id, status: request.status }, 'chargeback on a request that cannot become disputed');
      return;
    }
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

import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DisputeOpeningService } from '../disputes/dispute-opening.service';
import { LockedRequest, RequestLifecycle } from '../requests/request-lifecycle.service';
import { Escrow } from './escrow.entity';
import { EscrowLifecycle } from './escrow-lifecycle.service';
import { DisputeView } from './stripe/stripe-objects';

/**
 * charge.dispute.created — a chargeback: the customer's bank takes the money back. Release and
 * refunds freeze (a pending payout waits too), and the request goes to `disputed` for an admin.
 */
@Injectable()
export class ChargebackService {
  private readonly logger = new Logger(ChargebackService.name);

  constructor(
    private readonly escrows: EscrowLifecycle,
    private readonly requests: RequestLifecycle,
    private readonly disputes: DisputeOpeningService,
  ) {}

  async applyChargeback(em: EntityManager, dispute: DisputeView, now = new Date()): Promise<void> {
    // By charge, or by PaymentIntent when the chargeback arrives before our funding webhook did:
    // the freeze must not be lost, or the money could still be released.
    const repo = em.getRepository(Escrow);
    const found =
      (await repo.findOne({ where: { chargeId: dispute.chargeId }, select: { id: true } })) ??
      (dispute.paymentIntentId ? await repo.findOne({ where: { paymentIntentId: dispute.paymentIntentId }, select: { id: true } }) : null);
    const held = found ? await this.escrows.lockWithRequest(em, found.id) : null;
    if (!held) {
      this.logger.warn({ dispute: dispute.id, charge: dispute.chargeId }, 'chargeback on a charge with no escrow of ours');
      return;
    }
    const frozen = await this.escrows.apply(em, held.escrow, { type: 'freeze' }, now);
    if (frozen.status !== 'held') {
      // An older escrow of this request (refunded after a lapse, say), or one not funded yet: the
      // request's current money is not the one charged back (funding finds the freeze later).
      this.logger.warn({ requestId: frozen.requestId, escrowId: frozen.id, status: frozen.status }, 'chargeback on an escrow that is not held');
      return;
    }
    const reason = `Chargeback opened by the customer's bank (${dispute.reason}, Stripe dispute ${dispute.id}).`;
    await this.disputeRequest(em, held.locked, reason, now);
  }

  /**
   * The request of a frozen, held escrow goes to `disputed` for an admin. Also called by funding
   * when the chargeback arrived before the payment_intent.succeeded webhook.
   */
  async disputeRequest(em: EntityManager, locked: LockedRequest, reason: string, now: Date): Promise<void> {
    try {
      this.requests.check(locked, { type: 'chargeback' }, now);
    } catch {
      // Already disputed, or completed (the money was released): frozen, nothing else moves here.
      this.logger.warn({ requestId: locked.request.id, status: locked.request.status }, 'chargeback on a request that cannot become disputed');
      return;
    }
    await this.disputes.openInTransaction(em, locked, { event: 'chargeback', openedBy: 'chargeback', reason, now });
  }
}

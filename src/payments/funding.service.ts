import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { Bid } from '../bids/bid.entity';
import { applyBidEvent, bidMovesFor } from '../bids/domain/bid-state';
import { BidResponse } from '../bids/dto/bid.response';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { withTransaction } from '../database/transaction';
import { EventsService } from '../events/events.service';
import { applyRequestEvent } from '../requests/domain/request-state';
import { RequestResponse } from '../requests/dto/request.response';
import { HelpRequest } from '../requests/help-request.entity';
import { ChargebackService } from './chargeback.service';
import { CollaboratingServices } from './collaborating-services';
import { paymentIntentOutcome, PaymentIntentOutcome } from './domain/escrow-rules';
import { fundingLines } from './domain/ledger-postings';
import { escrowEventObject } from './dto/escrow.response';
import { lockEscrowWithRequest } from './escrow-locks';
import { Escrow } from './escrow.entity';
import { LedgerService } from './ledger.service';
import { RefundService } from './refund.service';
import { PaymentIntentView } from './stripe/stripe-objects';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type FundingResult = PaymentIntentOutcome | 'unknown' | 'mismatch';

/**
 * Applies a PaymentIntent's current state (always re-read from Stripe: W3) to its escrow. Used by
 * the payment_intent.* webhooks, the cancel job and reconciliation (F7), so the same facts give the
 * same result whichever path sees them first, however often: state only moves forward.
 */
@Injectable()
export class FundingService {
  private readonly logger = new Logger(FundingService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ledger: LedgerService,
    private readonly events: EventsService,
    private readonly refunds: RefundService,
    private readonly collaborators: CollaboratingServices,
    private readonly chargebacks: ChargebackService,
  ) {}

  /** In its own transaction (reconciliation, jobs). */
  syncPaymentIntent(pi: PaymentIntentView, eventType?: string): Promise<FundingResult> {
    return withTransaction(this.ds, (em) => this.applyPaymentIntent(em, pi, eventType));
  }

  /** In the caller's transaction (the webhook's, with its stripe_events row). */
  async applyPaymentIntent(em: EntityManager, pi: PaymentIntentView, eventType?: string, now = new Date()): Promise<FundingResult> {
    const escrowId = await this.escrowIdFor(em, pi);
    if (!escrowId) return 'unknown';
    const locked = await lockEscrowWithRequest(em, escrowId);
    if (!locked) return 'unknown';
    const { request, escrow } = locked;
    if (pi.amount !== escrow.amount || pi.currency !== escrow.currency || (escrow.paymentIntentId && escrow.paymentIntentId !== pi.id)) {
      // API10: never fund an escrow from a PaymentIntent that is not exactly its own.
      this.logger.error({ escrowId, paymentIntent: pi.id }, 'PaymentIntent does not match its escrow; not applied');
      return 'mismatch';
    }
    if (!escrow.paymentIntentId) {
      await em.getRepository(Escrow).update(escrow.id, { paymentIntentId: pi.id, clientSecret: pi.clientSecret });
      escrow.paymentIntentId = pi.id;
    }
    const awaitsThis = request.status === 'awaiting_payment' && request.acceptedBidId === escrow.bidId;
    const outcome = paymentIntentOutcome(escrow.status, awaitsThis, { status: pi.status, chargeId: pi.chargeId, hasPaymentError: pi.paymentError !== null }, eventType);
    switch (outcome) {
      case 'fund':
        await this.fund(em, request, escrow, pi.chargeId as string, now);
        break;
      case 'fund_and_refund':
        await this.fundAndRefund(em, escrow, pi.chargeId as string, now);
        break;
      case 'cancel':
        await em.getRepository(Escrow).update(escrow.id, { status: 'cancelled', clientSecret: null });
        break;
      case 'payment_failed':
        // The customer's card trouble is theirs: no expertId, so the expert's feed does not carry it.
        await this.events.record(em, request.id, 'escrow.payment_failed', { ...escrowEventObject(escrow), paymentError: pi.paymentError });
        break;
      case 'none':
        break;
    }
    return outcome;
  }

  /** By our stored PaymentIntent id, or — when its creation was never recorded (F1) — by the escrow id in its metadata. */
  private async escrowIdFor(em: EntityManager, pi: PaymentIntentView): Promise<string | null> {
    const repo = em.getRepository(Escrow);
    const stored = await repo.findOne({ where: { paymentIntentId: pi.id }, select: { id: true } });
    if (stored) return stored.id;
    const claimed = pi.metadata.escrowId;
    if (!claimed || !UUID.test(claimed)) return null;
    const unlinked = await repo.findOne({ where: { id: claimed, paymentIntentId: IsNull() }, select: { id: true } });
    return unlinked?.id ?? null;
  }

  /** awaiting_payment → in_progress: escrow held, other bids rejected, ledger and events in one transaction. */
  private async fund(em: EntityManager, request: HelpRequest, escrow: Escrow, chargeId: string, now: Date): Promise<void> {
    const moved = applyRequestEvent(request, { type: 'escrow_funded' }, { now, settings: this.config });
    if (!moved.ok) throw new Error(`fund ${escrow.id}: ${moved.message}`);
    await em.getRepository(HelpRequest).update(request.id, { status: moved.next.status, fundedAt: moved.next.fundedAt });
    await em.getRepository(Escrow).update(escrow.id, { status: 'held', chargeId, fundedAt: now, clientSecret: null, paymentIntentFailedAt: null });
    await this.ledger.post(em, {
      kind: 'funding',
      reference: `funding:${escrow.id}`,
      escrowId: escrow.id,
      requestId: request.id,
      currency: escrow.currency,
      stripeObjectId: chargeId,
      lines: fundingLines(escrow.amount),
    });
    const rejected = await this.rejectOtherBids(em, request);
    const after = await em.getRepository(HelpRequest).findOneByOrFail({ id: request.id });
    await this.collaborators.holdLimit()?.scheduleHoldLimit(em, after);
    const held = await em.getRepository(Escrow).findOneByOrFail({ id: escrow.id });
    const expertId = escrow.expertId;
    await this.events.record(em, request.id, 'escrow.funded', escrowEventObject(held), { expertId });
    await this.events.record(em, request.id, 'request.updated', RequestResponse.from(after, this.config), { expertId });
    for (const bid of rejected) await this.events.record(em, request.id, 'bid.rejected', BidResponse.from(bid), { expertId: bid.expertId });
    if (held.frozen) {
      // The chargeback came before this webhook: the freeze stands and an admin decides.
      const funded = await em.getRepository(HelpRequest).findOneByOrFail({ id: request.id });
      await this.chargebacks.disputeRequest(em, funded, held, "Chargeback opened by the customer's bank before funding was recorded.", now);
    }
  }

  /**
   * R5: the customer paid after the request was cancelled (or its payment window lapsed). The
   * money is recorded and refunded in full, in one statement, so the escrow is never "cancelled
   * with money held"; the request is left as it is.
   */
  private async fundAndRefund(em: EntityManager, escrow: Escrow, chargeId: string, now: Date): Promise<void> {
    await em.getRepository(Escrow).update(escrow.id, {
      status: 'refunded',
      chargeId,
      fundedAt: now,
      refundedAmount: escrow.amount,
      refundedAt: now,
      clientSecret: null,
    });
    await this.ledger.post(em, {
      kind: 'funding',
      reference: `funding:${escrow.id}`,
      escrowId: escrow.id,
      requestId: escrow.requestId,
      currency: escrow.currency,
      stripeObjectId: chargeId,
      lines: fundingLines(escrow.amount),
    });
    const refunded = await em.getRepository(Escrow).findOneByOrFail({ id: escrow.id });
    const key = `refund:cancel:${escrow.id}`;
    await this.refunds.recordInTransaction(em, refunded, { amount: escrow.amount, idempotencyKey: key, reason: 'paid after the request was no longer awaiting payment' });
    await this.events.record(em, escrow.requestId, 'escrow.refunded', escrowEventObject(refunded), { expertId: escrow.expertId });
    this.logger.warn({ escrowId: escrow.id }, 'payment arrived for a request no longer awaiting it; refunding in full');
  }

  private async rejectOtherBids(em: EntityManager, request: HelpRequest): Promise<Bid[]> {
    const repo = em.getRepository(Bid);
    const live = await repo.find({ where: { requestId: request.id, status: 'active' }, order: { createdAt: 'ASC', id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    const moves = bidMovesFor({ type: 'escrow_funded' }, live);
    for (const move of moves) {
      const bid = live.find((b) => b.id === move.bidId) as Bid;
      const moved = applyBidEvent(bid.status, move.event, { requestStatus: request.status });
      if (!moved.ok) throw new Error(`fund: bid ${bid.id} cannot be rejected (${moved.code})`);
    }
    const ids = moves.map((m) => m.bidId);
    if (ids.length === 0) return [];
    await repo.update({ id: In(ids) }, { status: 'rejected' });
    return repo.find({ where: { id: In(ids) }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}

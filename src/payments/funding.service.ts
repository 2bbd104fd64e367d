import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { withTransaction } from '../database/transaction';
import { EventsService } from '../events/events.service';
import { LockedRequest, RequestLifecycle } from '../requests/request-lifecycle.service';
import { ChargebackService } from './chargeback.service';
import { paymentIntentOutcome, PaymentIntentOutcome } from './domain/escrow-rules';
import { EscrowEvent, PartnerTerms } from './domain/escrow-state';
import { escrowEventObject } from './dto/escrow.response';
import { Escrow } from './escrow.entity';
import { EscrowLifecycle } from './escrow-lifecycle.service';
import { RefundService } from './refund.service';
import { StripeEventInbox } from './stripe-event-inbox.service';
import { PaymentIntentView } from './stripe/stripe-objects';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type FundingResult = PaymentIntentOutcome | 'unknown' | 'mismatch';

interface PaidEscrow {
  escrowId: string;
  /** The customer's partner and its revenue share as they are now: what funding fixes on the escrow. */
  partner: PartnerTerms | null;
}

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
    private readonly events: EventsService,
    private readonly refunds: RefundService,
    private readonly escrows: EscrowLifecycle,
    private readonly requests: RequestLifecycle,
    private readonly chargebacks: ChargebackService,
    private readonly inbox: StripeEventInbox,
  ) {}

  /** In its own transaction (reconciliation, jobs). */
  syncPaymentIntent(pi: PaymentIntentView, eventType?: string): Promise<FundingResult> {
    return withTransaction(this.ds, (em) => this.applyPaymentIntent(em, pi, eventType));
  }

  /** In the caller's transaction (the webhook's, with its stripe_events row). */
  async applyPaymentIntent(em: EntityManager, pi: PaymentIntentView, eventType?: string, now = new Date()): Promise<FundingResult> {
    const paid = await this.escrowFor(em, pi);
    const held = paid ? await this.escrows.lockWithRequest(em, paid.escrowId) : null;
    if (!paid || !held) return 'unknown';
    const { locked } = held;
    let { escrow } = held;
    if (pi.amount !== escrow.amount || pi.currency !== escrow.currency || (escrow.paymentIntentId && escrow.paymentIntentId !== pi.id)) {
      // API10: never fund an escrow from a PaymentIntent that is not exactly its own.
      this.logger.error({ escrowId: escrow.id, paymentIntent: pi.id }, 'PaymentIntent does not match its escrow; not applied');
      return 'mismatch';
    }
    if (!escrow.paymentIntentId) {
      await em.getRepository(Escrow).update(escrow.id, { paymentIntentId: pi.id, clientSecret: pi.clientSecret });
      escrow = { ...escrow, paymentIntentId: pi.id, clientSecret: pi.clientSecret };
    }
    const awaitsThis = locked.request.status === 'awaiting_payment' && locked.request.acceptedBidId === escrow.bidId;
    const outcome = paymentIntentOutcome(escrow.status, awaitsThis, { status: pi.status, chargeId: pi.chargeId, hasPaymentError: pi.paymentError !== null }, eventType);
    switch (outcome) {
      case 'fund':
        await this.fund(em, locked, escrow, { type: 'fund', chargeId: pi.chargeId as string, partner: paid.partner }, now);
        break;
      case 'fund_and_refund':
        await this.fundAndRefund(em, escrow, pi.chargeId as string, now);
        break;
      case 'cancel':
        await this.escrows.apply(em, escrow, { type: 'cancel' }, now);
        break;
      case 'payment_failed':
        // The customer's card trouble is theirs: no expertId, so the expert's feed does not carry it.
        await this.events.record(em, escrow.requestId, 'escrow.payment_failed', { ...escrowEventObject(escrow), paymentError: pi.paymentError });
        break;
      case 'none':
        break;
    }
    return outcome;
  }

  /** By our stored PaymentIntent id, or — when its creation was never recorded (F1) — by the escrow id in its metadata. */
  private async escrowFor(em: EntityManager, pi: PaymentIntentView): Promise<PaidEscrow | null> {
    const stored = await this.paidEscrow(em, 'e.payment_intent_id = $1', pi.id);
    if (stored) return stored;
    const claimed = pi.metadata.escrowId;
    if (!claimed || !UUID.test(claimed)) return null;
    return this.paidEscrow(em, 'e.id = $1 AND e.payment_intent_id IS NULL', claimed);
  }

  /**
   * The escrow's id with, in the same statement, its customer's partner and that partner's share
   * (M9: the share is fixed when the escrow is funded): no extra round trip, partner or not.
   * Unlocked: a share changed while this runs applies to the next funding, not this one.
   */
  private async paidEscrow(em: EntityManager, where: string, value: string): Promise<PaidEscrow | null> {
    const [row] = (await em.query(
      `SELECT e.id, u.partner_id, p.revenue_share_bps
         FROM escrows e JOIN users u ON u.id = e.customer_id LEFT JOIN partners p ON p.id = u.partner_id
        WHERE ${where}`,
      [value],
    )) as Array<{ id: string; partner_id: string | null; revenue_share_bps: number | null }>;
    if (!row) return null;
    const partner = row.partner_id ? { partnerId: row.partner_id, shareBps: row.revenue_share_bps ?? 0 } : null;
    return { escrowId: row.id, partner };
  }

  /** awaiting_payment → in_progress: escrow held (ledger), other bids rejected, the hold-limit timer set, one transaction. */
  private async fund(em: EntityManager, locked: LockedRequest, escrow: Escrow, event: EscrowEvent & { type: 'fund' }, now: Date): Promise<void> {
    const held = await this.escrows.apply(em, escrow, event, now);
    const funded = await this.requests.apply(em, locked, { type: 'escrow_funded' }, {
      now,
      events: [{ type: 'escrow.funded', object: escrowEventObject(held), expertId: held.expertId }],
    });
    // The chargeback came before this webhook: the freeze stands and Stripe decides.
    if (held.frozen) await this.chargebacks.disputeFundedRequest(em, { request: funded.request, awardedExpertId: funded.awardedExpertId }, held, now);
    // Events about this charge that came before it was linked (a refund, a chargeback) apply now.
    await this.inbox.releaseWaiting(em, [held.paymentIntentId, held.chargeId]);
  }

  /**
   * R5: the customer paid after the request was cancelled (or its payment window lapsed). The
   * money is recorded and refunded in full in one move, so the escrow is never "cancelled with
   * money held"; the request is left as it is.
   */
  private async fundAndRefund(em: EntityManager, escrow: Escrow, chargeId: string, now: Date): Promise<void> {
    const refundKey = `refund:cancel:${escrow.id}`;
    const refunded = await this.escrows.apply(em, escrow, { type: 'fund_and_refund', chargeId, refundKey }, now);
    await this.refunds.recordRefundRow(em, refunded, { amount: escrow.amount, idempotencyKey: refundKey, reason: 'paid after the request was no longer awaiting payment' });
    await this.events.record(em, escrow.requestId, 'escrow.refunded', escrowEventObject(refunded), { expertId: escrow.expertId });
    this.logger.warn({ escrowId: escrow.id }, 'payment arrived for a request no longer awaiting it; refunding in full');
    await this.inbox.releaseWaiting(em, [refunded.paymentIntentId, chargeId]);
  }
}

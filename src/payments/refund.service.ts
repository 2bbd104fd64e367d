import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, notFound } from '../common/errors/domain-error';
import { lockRows } from '../database/locks';
import { withTransaction } from '../database/transaction';
import { DisputeOpeningService } from '../disputes/dispute-opening.service';
import { EventDraft, EventsService } from '../events/events.service';
import { JobsService } from '../jobs/jobs.service';
import { LockedRequest } from '../requests/request-lifecycle.service';
import { heldAmount, refundChannel } from './domain/escrow-rules';
import { escrowEventObject } from './dto/escrow.response';
import { Escrow } from './escrow.entity';
import { EscrowLifecycle } from './escrow-lifecycle.service';
import { EscrowRefund, EscrowRefundStatus } from './escrow-refund.entity';
import { PaymentFaults } from './payment-faults';
import { REFUND_JOB, RefundJob } from './payment-jobs';
import { StripeGateway } from './stripe/stripe.gateway';
import { RefundView } from './stripe/stripe-objects';

export interface RefundDecision {
  escrow: Escrow;
  refund: EscrowRefund;
  /** The escrow.refunded event, for a caller that records it with the request's move. */
  notice: EventDraft;
}

const STRIPE_TO_OURS: Record<RefundView['status'], EscrowRefundStatus> = {
  succeeded: 'succeeded',
  pending: 'pending',
  requires_action: 'pending',
  failed: 'failed',
  canceled: 'failed',
};

/**
 * Refunds: decided in a transaction (the escrow's move and its ledger posting, the refund row,
 * and a durable job, together — M5), made at Stripe after commit with the decision's idempotency
 * key, and matched back to Stripe's Refund objects (charge.refunded, reconciliation).
 */
@Injectable()
export class RefundService implements OnModuleInit {
  private readonly logger = new Logger(RefundService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly gateway: StripeGateway,
    private readonly escrows: EscrowLifecycle,
    private readonly events: EventsService,
    private readonly jobs: JobsService,
    private readonly faults: PaymentFaults,
    private readonly disputes: DisputeOpeningService,
  ) {}

  onModuleInit(): void {
    this.jobs.register<RefundJob>(REFUND_JOB, async ({ refundId }) => this.executeRefund(refundId));
  }

  /**
   * Refunds `amount` of a held escrow, in the caller's transaction (request locked first).
   * `idempotencyKey` names the decision — `refund:<disputeId>` — and is the Stripe key: the same
   * key again returns the first decision and refunds nothing more. After commit call
   * `refundAfterCommit(result.refund.id)`; the job makes the refund anyway if that never runs.
   */
  async refund(em: EntityManager, escrowId: string, amount: number, idempotencyKey: string, options: { reason: string; now?: Date }): Promise<RefundDecision> {
    const escrow = await this.escrows.lock(em, escrowId);
    if (!escrow) throw notFound('Escrow');
    const earlier = await em.getRepository(EscrowRefund).findOneBy({ idempotencyKey });
    if (earlier) {
      if (earlier.escrowId !== escrowId || earlier.amount !== amount) throw new DomainError('idempotency_key_reused', 'This refund key was used for another refund.');
      return { escrow, refund: earlier, notice: refundedNotice(escrow) };
    }
    const channel = refundChannel(escrow);
    const after = await this.escrows.apply(em, escrow, { type: 'refund', amount, refundKey: idempotencyKey }, options.now);
    const refund = await this.recordRefundRow(em, after, { amount, idempotencyKey, reason: options.reason, chargeback: channel === 'chargeback' });
    return { escrow: after, refund, notice: refundedNotice(after) };
  }

  /** A refund on its own (no request move goes with it): the event is recorded here. */
  async refundInTransaction(em: EntityManager, escrowId: string, amount: number, idempotencyKey: string, options: { reason: string; now?: Date }): Promise<RefundDecision> {
    const decision = await this.refund(em, escrowId, amount, idempotencyKey, options);
    await this.events.recordAll(em, decision.escrow.requestId, [decision.notice]);
    return decision;
  }

  /**
   * The refund row of a refund the escrow's move already counts (and posted). Without `stripe`
   * (our decision) the Stripe refund is still to be made: a job is scheduled — unless a
   * chargeback already returned the money.
   */
  async recordRefundRow(
    em: EntityManager,
    escrow: Escrow,
    input: { amount: number; idempotencyKey: string; reason: string; stripe?: RefundView; chargeback?: boolean },
  ): Promise<EscrowRefund> {
    const repo = em.getRepository(EscrowRefund);
    const refund = await repo.save(
      repo.create({
        escrowId: escrow.id,
        requestId: escrow.requestId,
        amount: input.amount,
        currency: escrow.currency,
        idempotencyKey: input.idempotencyKey,
        reason: input.reason,
        stripeRefundId: input.stripe?.id ?? null,
        status: input.chargeback ? 'chargeback' : input.stripe ? STRIPE_TO_OURS[input.stripe.status] : 'pending',
      }),
    );
    if (!input.stripe && !input.chargeback) await this.jobs.scheduleInTransaction(em, REFUND_JOB, { refundId: refund.id }, new Date(), input.idempotencyKey);
    return refund;
  }

  /** The fast path after commit; failures are left to the job, which retries with the same key. */
  async refundAfterCommit(refundId: string): Promise<void> {
    try {
      await this.executeRefund(refundId);
    } catch (err) {
      this.logger.warn({ err, refundId }, 'refund not made yet; the refund job retries it');
    }
  }

  /** Makes the decided refund at Stripe (idempotent by the decision's key) and records its id. */
  async executeRefund(refundId: string): Promise<void> {
    const refund = await this.ds.getRepository(EscrowRefund).findOneBy({ id: refundId });
    if (!refund || refund.stripeRefundId || refund.status !== 'pending') return;
    const escrow = await this.ds.getRepository(Escrow).findOneByOrFail({ id: refund.escrowId });
    if (!escrow.paymentIntentId) throw new Error(`refund ${refundId}: escrow ${escrow.id} has no PaymentIntent`);
    const made = await this.gateway.createRefund({
      escrowId: escrow.id,
      refundId: refund.id,
      paymentIntentId: escrow.paymentIntentId,
      amount: refund.amount,
      idempotencyKey: refund.idempotencyKey,
    });
    this.faults.hit('after_refund_create');
    await withTransaction(this.ds, (em) => this.linkStripeRefund(em, refund.id, made));
  }

  /**
   * charge.refunded (W3: with the charge's refunds re-read from Stripe) and reconciliation: each
   * Stripe refund is matched to our row by id or by our key in its metadata; one we did not
   * make (the dashboard) is recorded as a refund of held money, once.
   */
  async applyChargeRefunds(em: EntityManager, chargeId: string, refunds: RefundView[], now = new Date()): Promise<void> {
    const found = await em.getRepository(Escrow).findOne({ where: { chargeId }, select: { id: true } });
    const held = found ? await this.escrows.lockWithRequest(em, found.id) : null;
    if (!held) return;
    let escrow = held.escrow;
    for (const stripeRefund of refunds) escrow = await this.applyOne(em, held.locked, escrow, stripeRefund, now);
  }

  private async applyOne(em: EntityManager, locked: LockedRequest, escrow: Escrow, stripeRefund: RefundView, now: Date): Promise<Escrow> {
    const repo = em.getRepository(EscrowRefund);
    const byId = await repo.findOneBy({ stripeRefundId: stripeRefund.id });
    if (byId) {
      if (byId.status !== STRIPE_TO_OURS[stripeRefund.status]) await repo.update(byId.id, { status: STRIPE_TO_OURS[stripeRefund.status] });
      return escrow;
    }
    const ourKey = stripeRefund.metadata.refundKey;
    const ours = ourKey ? await repo.findOneBy({ idempotencyKey: ourKey, escrowId: escrow.id }) : null;
    if (ours) {
      if (!ours.stripeRefundId) await this.linkStripeRefund(em, ours.id, stripeRefund);
      return escrow;
    }
    if (stripeRefund.status !== 'succeeded' && stripeRefund.status !== 'pending') return escrow;
    if (escrow.status !== 'held' || escrow.frozen || stripeRefund.amount > heldAmount(escrow)) {
      // Money that was no longer held went back: reconciliation reports it (M4), nobody guesses here.
      this.logger.error({ escrowId: escrow.id, refund: stripeRefund.id }, 'a refund made outside Fixbid does not fit the escrow');
      return escrow;
    }
    const key = `refund:external:${stripeRefund.id}`;
    const after = await this.escrows.apply(em, escrow, { type: 'refund', amount: stripeRefund.amount, refundKey: key }, now);
    await this.recordRefundRow(em, after, { amount: stripeRefund.amount, idempotencyKey: key, reason: 'refunded at Stripe', stripe: stripeRefund });
    const notice = refundedNotice(after);
    if (after.status === 'refunded' && (locked.request.status === 'in_progress' || locked.request.status === 'resolved')) {
      // Nothing is held any more, so the job can neither be released nor reviewed into a payout:
      // the request goes to an admin (a system dispute), who closes it as refunded.
      const reason = 'The payment was refunded in full outside Fixbid (Stripe dashboard); close the request as refunded.';
      await this.disputes.openInTransaction(em, locked, { event: 'open_dispute', openedBy: 'system', reason, now, events: [notice] });
    } else {
      await this.events.recordAll(em, after.requestId, [notice]);
    }
    return after;
  }

  private async linkStripeRefund(em: EntityManager, refundId: string, made: RefundView): Promise<void> {
    const [row] = await lockRows(em, 'escrow_refunds', 'id', [refundId]);
    if (!row || row.stripe_refund_id) return;
    if (made.amount !== row.amount) throw new Error(`refund ${refundId}: Stripe refunded ${made.amount}, we decided ${String(row.amount)}`);
    await em.getRepository(EscrowRefund).update(refundId, { stripeRefundId: made.id, status: STRIPE_TO_OURS[made.status] });
  }
}

function refundedNotice(escrow: Escrow): EventDraft {
  return { type: 'escrow.refunded', object: escrowEventObject(escrow), expertId: escrow.expertId };
}

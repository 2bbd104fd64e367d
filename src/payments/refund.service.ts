import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, notFound } from '../common/errors/domain-error';
import { withTransaction } from '../database/transaction';
import { EventsService } from '../events/events.service';
import { JobsService } from '../jobs/jobs.service';
import { heldAmount, refundChannel, refundRefusal, statusAfterRefund } from './domain/escrow-rules';
import { refundLines } from './domain/ledger-postings';
import { escrowEventObject } from './dto/escrow.response';
import { lockEscrowRow, lockEscrowWithRequest } from './escrow-locks';
import { Escrow } from './escrow.entity';
import { EscrowRefund, EscrowRefundStatus } from './escrow-refund.entity';
import { HelpRequest } from '../requests/help-request.entity';
import { CollaboratingServices } from './collaborating-services';
import { LedgerService } from './ledger.service';
import { PaymentFaults } from './payment-faults';
import { REFUND_JOB, RefundJob } from './payment-jobs';
import { StripeGateway } from './stripe/stripe.gateway';
import { RefundView } from './stripe/stripe-objects';

export interface RefundDecision {
  escrow: Escrow;
  refund: EscrowRefund;
}

const STRIPE_TO_OURS: Record<RefundView['status'], EscrowRefundStatus> = {
  succeeded: 'succeeded',
  pending: 'pending',
  requires_action: 'pending',
  failed: 'failed',
  canceled: 'failed',
};

/**
 * Refunds: decided in a transaction (escrow, ledger escrow_held → refunded, refund row, outbox
 * event and a durable job, together — M5), made at Stripe after commit with the decision's
 * idempotency key, and matched back to Stripe's Refund objects (charge.refunded, reconciliation).
 */
@Injectable()
export class RefundService implements OnModuleInit {
  private readonly logger = new Logger(RefundService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly gateway: StripeGateway,
    private readonly ledger: LedgerService,
    private readonly events: EventsService,
    private readonly jobs: JobsService,
    private readonly faults: PaymentFaults,
    private readonly collaborators: CollaboratingServices,
  ) {}

  onModuleInit(): void {
    this.jobs.register<RefundJob>(REFUND_JOB, async ({ refundId }) => this.executeRefund(refundId));
  }

  /**
   * Refunds `amount` of a held escrow, in the caller's transaction (lock the request row first).
   * `idempotencyKey` names the decision — `refund:<disputeId>` — and is the Stripe key: the same
   * key again returns the first decision and refunds nothing more. After commit call
   * `refundAfterCommit(result.refund.id)`; the job makes the refund anyway if that never runs.
   */
  async refundInTransaction(
    em: EntityManager,
    escrowId: string,
    amount: number,
    idempotencyKey: string,
    options: { reason: string; now?: Date },
  ): Promise<RefundDecision> {
    const escrow = await lockEscrowRow(em, escrowId);
    if (!escrow) throw notFound('Escrow');
    const earlier = await em.getRepository(EscrowRefund).findOneBy({ idempotencyKey });
    if (earlier) {
      if (earlier.escrowId !== escrowId || earlier.amount !== amount) throw new DomainError('idempotency_key_reused', 'This refund key was used for another refund.');
      return { escrow, refund: earlier };
    }
    const refusal = refundRefusal(escrow, amount);
    if (refusal) throw new DomainError(refusal.code, refusal.message, refusal.param);
    const now = options.now ?? new Date();
    await em.getRepository(Escrow).update(escrow.id, {
      refundedAmount: escrow.refundedAmount + amount,
      refundedAt: now,
      status: statusAfterRefund(escrow, amount),
    });
    const after = await em.getRepository(Escrow).findOneByOrFail({ id: escrow.id });
    const channel = refundChannel(escrow);
    const refund = await this.recordInTransaction(em, after, { amount, idempotencyKey, reason: options.reason, chargeback: channel === 'chargeback' });
    await this.events.record(em, after.requestId, 'escrow.refunded', escrowEventObject(after), { expertId: after.expertId });
    return { escrow: after, refund };
  }

  /**
   * The refund row and its ledger posting for an escrow whose refunded_amount already counts it.
   * Without `stripe` (our decision) the Stripe refund is still to be made: a job is scheduled —
   * unless a chargeback already returned the money.
   */
  async recordInTransaction(
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
    await this.ledger.post(em, {
      kind: 'refund',
      reference: input.idempotencyKey,
      escrowId: escrow.id,
      requestId: escrow.requestId,
      currency: escrow.currency,
      lines: refundLines(input.amount),
    });
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
    if (!found || !(await lockEscrowWithRequest(em, found.id))) return;
    for (const stripeRefund of refunds) {
      const escrow = await em.getRepository(Escrow).findOneByOrFail({ id: found.id });
      await this.applyOne(em, escrow, stripeRefund, now);
    }
  }

  private async applyOne(em: EntityManager, escrow: Escrow, stripeRefund: RefundView, now: Date): Promise<void> {
    const repo = em.getRepository(EscrowRefund);
    const byId = await repo.findOneBy({ stripeRefundId: stripeRefund.id });
    if (byId) {
      if (byId.status !== STRIPE_TO_OURS[stripeRefund.status]) await repo.update(byId.id, { status: STRIPE_TO_OURS[stripeRefund.status] });
      return;
    }
    const ourKey = stripeRefund.metadata.refundKey;
    const ours = ourKey ? await repo.findOneBy({ idempotencyKey: ourKey, escrowId: escrow.id }) : null;
    if (ours) {
      if (!ours.stripeRefundId) await this.linkStripeRefund(em, ours.id, stripeRefund);
      return;
    }
    if (stripeRefund.status !== 'succeeded' && stripeRefund.status !== 'pending') return;
    if (escrow.status !== 'held' || escrow.frozen || stripeRefund.amount > heldAmount(escrow)) {
      // Money that was no longer held went back: reconciliation reports it (M4), nobody guesses here.
      this.logger.error({ escrowId: escrow.id, refund: stripeRefund.id }, 'a refund made outside Fixbid does not fit the escrow');
      return;
    }
    await em.getRepository(Escrow).update(escrow.id, {
      refundedAmount: escrow.refundedAmount + stripeRefund.amount,
      refundedAt: now,
      status: statusAfterRefund(escrow, stripeRefund.amount),
    });
    const after = await em.getRepository(Escrow).findOneByOrFail({ id: escrow.id });
    const key = `refund:external:${stripeRefund.id}`;
    await this.recordInTransaction(em, after, { amount: stripeRefund.amount, idempotencyKey: key, reason: 'refunded at Stripe', stripe: stripeRefund });
    await this.events.record(em, after.requestId, 'escrow.refunded', escrowEventObject(after), { expertId: after.expertId });
    if (after.status === 'refunded') await this.handToAdmin(em, after.requestId, now);
  }

  /**
   * Nothing is held any more, so the job can neither be released nor reviewed into a payout:
   * the request goes to an admin (a system dispute), who closes it as refunded.
   */
  private async handToAdmin(em: EntityManager, requestId: string, now: Date): Promise<void> {
    const request = await em.getRepository(HelpRequest).findOneByOrFail({ id: requestId });
    if (request.status !== 'in_progress' && request.status !== 'resolved') return;
    const reason = 'The payment was refunded in full outside Fixbid (Stripe dashboard); close the request as refunded.';
    await this.collaborators.disputeOpening()?.openInTransaction(em, request, { event: 'open_dispute', openedBy: 'system', reason, now });
  }

  private async linkStripeRefund(em: EntityManager, refundId: string, made: RefundView): Promise<void> {
    const repo = em.getRepository(EscrowRefund);
    const refund = await repo.findOne({ where: { id: refundId }, lock: { mode: 'pessimistic_write' } });
    if (!refund || refund.stripeRefundId) return;
    if (made.amount !== refund.amount) throw new Error(`refund ${refundId}: Stripe refunded ${made.amount}, we decided ${refund.amount}`);
    await repo.update(refund.id, { stripeRefundId: made.id, status: STRIPE_TO_OURS[made.status] });
  }
}

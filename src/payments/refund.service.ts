import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, notFound } from '../common/errors/domain-error';
import { updatedRows } from '../database/hydrate';
import { lockRows } from '../database/locks';
import { withTransaction } from '../database/transaction';
import { DisputeOpeningService } from '../disputes/dispute-opening.service';
import { EventDraft, EventsService } from '../events/events.service';
import { JobsService } from '../jobs/jobs.service';
import { LockedRequest } from '../requests/request-lifecycle.service';
import { heldAmount } from './domain/escrow-rules';
import { stripeKey } from './domain/stripe-keys';
import { escrowEventObject } from './dto/escrow.response';
import { Escrow } from './escrow.entity';
import { EscrowLifecycle } from './escrow-lifecycle.service';
import { EscrowRefund, EscrowRefundStatus, REFUND_MAX_ATTEMPTS } from './escrow-refund.entity';
import { PaymentFaults } from './payment-faults';
import { REFUND_JOB, RefundJob } from './payment-jobs';
import { StripeGateway } from './stripe/stripe.gateway';
import { PaymentProviderError } from './stripe/stripe-errors';
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

/** Stripe errors that say this refund will never be made, whatever we retry (the charge is disputed, refunded already...). */
const REFUSED = (err: unknown): boolean => err instanceof PaymentProviderError && err.code === 'payment_provider_error' && err.stripeStatus !== undefined && err.stripeStatus < 500 && err.stripeStatus !== 429 && err.stripeStatus !== 409;

/**
 * Refunds: decided in a transaction (the escrow's move and its ledger posting, the refund row,
 * and a durable job, together — M5), made at Stripe after commit with the decision's idempotency
 * key (renewed after 23 h, after looking for what an earlier attempt made), and matched back to
 * Stripe's Refund objects (charge.refunded, charge.refund.updated, refund.failed, reconciliation).
 * M7: a refund Stripe fails, refuses outright or that runs out of attempts is reversed in the
 * ledger (the money is held again) and handed to an admin as a `refund_failed` dispute.
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
  async refund(em: EntityManager, escrowId: string, amount: number, idempotencyKey: string, options: { reason: string; now?: Date; fromHoldback?: boolean }): Promise<RefundDecision> {
    const escrow = await this.escrows.lock(em, escrowId);
    if (!escrow) throw notFound('Escrow');
    const earlier = await em.getRepository(EscrowRefund).findOneBy({ idempotencyKey });
    if (earlier) {
      if (earlier.escrowId !== escrowId || earlier.amount !== amount) throw new DomainError('idempotency_key_reused', 'This refund key was used for another refund.');
      return { escrow, refund: earlier, notice: refundedNotice(escrow) };
    }
    // A warranty dispute refunds from the holdback (warranty_held), not from the escrow's held money.
    const move = options.fromHoldback ? ({ type: 'warranty_refund', amount, refundKey: idempotencyKey } as const) : ({ type: 'refund', amount, refundKey: idempotencyKey } as const);
    const after = await this.escrows.apply(em, escrow, move, options.now);
    const refund = await this.recordRefundRow(em, after, { amount, idempotencyKey, reason: options.reason, fromHoldback: options.fromHoldback });
    return { escrow: after, refund, notice: refundedNotice(after) };
  }

  /** A refund on its own (no request move goes with it): the event is recorded here. */
  async refundInTransaction(em: EntityManager, escrowId: string, amount: number, idempotencyKey: string, options: { reason: string; now?: Date }): Promise<RefundDecision> {
    const decision = await this.refund(em, escrowId, amount, idempotencyKey, options);
    await this.events.recordAll(em, decision.escrow.requestId, [decision.notice]);
    return decision;
  }

  /**
   * An admin's `retry_refund` of a failed refund: the same money refunded again under a new key
   * (`refund:<disputeId>`), in the caller's transaction (escrow locked by the lifecycle).
   */
  async retryFailed(em: EntityManager, escrowId: string, amount: number, idempotencyKey: string, now: Date, fromHoldback = false): Promise<EscrowRefund> {
    const escrow = await this.escrows.lock(em, escrowId);
    if (!escrow) throw notFound('Escrow');
    const move = fromHoldback ? ({ type: 'warranty_refund', amount, refundKey: idempotencyKey, retry: true } as const) : ({ type: 'retry_refund', amount, refundKey: idempotencyKey } as const);
    const after = await this.escrows.apply(em, escrow, move, now);
    return this.recordRefundRow(em, after, { amount, idempotencyKey, reason: 'retry of a failed refund', fromHoldback });
  }

  /** An admin's `write_off` of a failed refund: still owed to the customer (unclaimed_refunds), no longer held. */
  async writeOffFailed(em: EntityManager, escrowId: string, amount: number, reference: string, now: Date, fromHoldback = false): Promise<Escrow> {
    const escrow = await this.escrows.lock(em, escrowId);
    if (!escrow) throw notFound('Escrow');
    return this.escrows.apply(em, escrow, { type: 'write_off_refund', amount, reference, fromHoldback }, now);
  }

  /**
   * The refund row of a refund the escrow's move already counts (and posted). Without `stripe`
   * (our decision) the Stripe refund is still to be made: a job is scheduled.
   */
  async recordRefundRow(
    em: EntityManager,
    escrow: Escrow,
    input: { amount: number; idempotencyKey: string; reason: string; stripe?: RefundView; fromHoldback?: boolean },
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
        status: input.stripe ? STRIPE_TO_OURS[input.stripe.status] : 'pending',
        fromHoldback: input.fromHoldback ?? false,
      }),
    );
    if (!input.stripe) await this.jobs.scheduleInTransaction(em, REFUND_JOB, { refundId: refund.id }, new Date(), input.idempotencyKey);
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

  /**
   * Makes the decided refund at Stripe and records its id. The key is the decision's for 23 h
   * (item 5: Stripe forgets keys after 24 h); after that, a refund an earlier attempt made is
   * looked up by listing the PaymentIntent's refunds first, and a new key is used. Stripe refusing
   * it outright, or the REFUND_MAX_ATTEMPTS-th failure, hands it to an admin (M7).
   */
  async executeRefund(refundId: string, now = new Date()): Promise<void> {
    const refund = await this.ds.getRepository(EscrowRefund).findOneBy({ id: refundId });
    if (!refund || refund.stripeRefundId || refund.status !== 'pending') return;
    const escrow = await this.ds.getRepository(Escrow).findOneByOrFail({ id: refund.escrowId });
    if (!escrow.paymentIntentId) throw new Error(`refund ${refundId}: escrow ${escrow.id} has no PaymentIntent`);
    const paymentIntentId = escrow.paymentIntentId;
    const key = stripeKey(refund.idempotencyKey, refund.createdAt, now);
    let made: RefundView;
    try {
      const earlier = key.renewed ? (await this.gateway.listPaymentIntentRefunds(paymentIntentId)).find((r) => r.metadata.refundId === refund.id) : undefined;
      made = earlier ?? (await this.gateway.createRefund({ escrowId: escrow.id, refundId: refund.id, paymentIntentId, amount: refund.amount, idempotencyKey: key.key }));
    } catch (err) {
      // Counted in one statement: the job and a fast path failing at once both count.
      const [{ attempts }] = updatedRows(await this.ds.query(`UPDATE escrow_refunds SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts`, [refund.id])) as Array<{ attempts: number }>;
      if (REFUSED(err) || attempts >= REFUND_MAX_ATTEMPTS) {
        const why = err instanceof PaymentProviderError ? (err.stripeCode ?? err.code) : 'error';
        await withTransaction(this.ds, (em) => this.fail(em, refund.id, REFUSED(err) ? `refused by Stripe (${why})` : `gave up after ${attempts} attempts (${why})`, now));
        return;
      }
      throw err;
    }
    this.faults.hit('after_refund_create');
    await withTransaction(this.ds, (em) => this.linkStripeRefund(em, refund.id, made, now));
  }

  /**
   * charge.refunded (W3: with the charge's refunds re-read from Stripe), charge.refund.updated,
   * refund.failed and reconciliation: each Stripe refund is matched to our row by id or by our key
   * in its metadata; one we did not make (the dashboard) is recorded as a refund of held money,
   * once. `unlinked` when the charge is not linked to an escrow yet (the event waits for it).
   */
  async applyChargeRefunds(em: EntityManager, chargeId: string, refunds: RefundView[], now = new Date()): Promise<'applied' | 'unlinked'> {
    const found = chargeId ? await em.getRepository(Escrow).findOne({ where: { chargeId }, select: { id: true } }) : null;
    const held = found ? await this.escrows.lockWithRequest(em, found.id) : null;
    if (!held) return 'unlinked';
    let escrow = held.escrow;
    for (const stripeRefund of refunds) escrow = await this.applyOne(em, held.locked, escrow, stripeRefund, now);
    return 'applied';
  }

  private async applyOne(em: EntityManager, locked: LockedRequest, escrow: Escrow, stripeRefund: RefundView, now: Date): Promise<Escrow> {
    const repo = em.getRepository(EscrowRefund);
    const ourKey = stripeRefund.metadata.refundKey;
    const ours = (await repo.findOneBy({ stripeRefundId: stripeRefund.id })) ?? (ourKey ? await repo.findOneBy({ idempotencyKey: ourKey, escrowId: escrow.id }) : null);
    if (ours) {
      await this.linkStripeRefund(em, ours.id, stripeRefund, now);
      return (await this.escrows.lock(em, escrow.id)) ?? escrow;
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

  /** Links our row to Stripe's refund and follows its status; a failed one is handed to an admin. */
  private async linkStripeRefund(em: EntityManager, refundId: string, made: RefundView, now: Date): Promise<void> {
    const [row] = await lockRows(em, 'escrow_refunds', 'id', [refundId]);
    if (!row) return;
    if (made.amount !== row.amount) throw new Error(`refund ${refundId}: Stripe refunded ${made.amount}, we decided ${String(row.amount)}`);
    if (row.stripe_refund_id && row.stripe_refund_id !== made.id) return;
    const status = STRIPE_TO_OURS[made.status];
    if (status === 'failed') {
      if (!row.stripe_refund_id) await em.getRepository(EscrowRefund).update(refundId, { stripeRefundId: made.id });
      await this.fail(em, refundId, `failed at Stripe (${made.failureReason ?? 'unknown'})`, now);
      return;
    }
    if (row.status === 'failed' || (row.stripe_refund_id && row.status === status)) return;
    await em.getRepository(EscrowRefund).update(refundId, { stripeRefundId: made.id, status });
  }

  /**
   * M7: the refund did not reach the customer. Its ledger posting is reversed (the money is held
   * again), the row says failed, and a refund_failed dispute goes to an admin — once.
   */
  private async fail(em: EntityManager, refundId: string, why: string, now: Date): Promise<void> {
    const found = await em.getRepository(EscrowRefund).findOneBy({ id: refundId });
    if (!found || found.status === 'failed') return;
    // The lock order: the request (its events), the escrow, then its refund row.
    const held = await this.escrows.lockWithRequest(em, found.escrowId);
    const [row] = await lockRows(em, 'escrow_refunds', 'id', [refundId]);
    if (!held || !row || row.status === 'failed') return;
    const { escrow } = held;
    const after = await this.escrows.apply(em, escrow, { type: 'refund_failed', refundKey: found.idempotencyKey, amount: found.amount, fromHoldback: found.fromHoldback }, now);
    await em.getRepository(EscrowRefund).update(refundId, { status: 'failed', failureReason: why });
    const reason = `A refund of ${found.amount} (minor units, ${found.currency}) ${why}: the money is held again. Retry it, or write it off as owed to the customer.`;
    await this.disputes.openDetached(em, {
      requestId: after.requestId,
      escrowId: after.id,
      kind: 'refund_failed',
      reference: refundId,
      reason,
      events: [{ type: 'refund.failed', object: escrowEventObject(after), expertId: after.expertId }],
    });
    this.logger.error({ escrowId: after.id, refundId, why }, 'refund failed; handed to an admin');
  }
}

function refundedNotice(escrow: Escrow): EventDraft {
  return { type: 'escrow.refunded', object: escrowEventObject(escrow), expertId: escrow.expertId };
}

import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Bid } from '../bids/bid.entity';
import { Principal } from '../common/auth/principal';
import { notFound } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { JobsService } from '../jobs/jobs.service';
import { HelpRequest } from '../requests/help-request.entity';
import { RequestLifecycle } from '../requests/request-lifecycle.service';
import { EscrowViewer, paymentIntentRetryable } from './domain/escrow-rules';
import { splitFee } from './domain/money';
import { stripeKey } from './domain/stripe-keys';
import { Escrow } from './escrow.entity';
import { EscrowLifecycle } from './escrow-lifecycle.service';
import { EscrowReleaseService, ReleaseOptions } from './escrow-release.service';
import { FundingService } from './funding.service';
import { PaymentFaults } from './payment-faults';
import { CANCEL_PAYMENT_INTENT_JOB } from './payment-jobs';
import { RefundDecision, RefundService } from './refund.service';
import { StripeGateway } from './stripe/stripe.gateway';
import { PaymentProviderError } from './stripe/stripe-errors';
import { PaymentIntentView } from './stripe/stripe-objects';

type CancelReason = 'requested_by_customer' | 'abandoned';

interface CancelJob {
  escrowId: string;
  reason: CancelReason;
}

/**
 * The escrow's life around the marketplace: created in the accept transaction, its
 * PaymentIntent made after commit (key `pi:<escrowId>`), cancelled with the request or the
 * payment window, shown to its parties. Release and refund are delegated (see their services).
 */
@Injectable()
export class EscrowService implements OnModuleInit {
  private readonly logger = new Logger(EscrowService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly gateway: StripeGateway,
    private readonly jobs: JobsService,
    private readonly faults: PaymentFaults,
    private readonly funding: FundingService,
    private readonly releases: EscrowReleaseService,
    private readonly refunds: RefundService,
    private readonly escrowLifecycle: EscrowLifecycle,
    private readonly requestLifecycle: RequestLifecycle,
  ) {}

  onModuleInit(): void {
    this.jobs.register<CancelJob>(CANCEL_PAYMENT_INTENT_JOB, async ({ escrowId, reason }) => this.cancelPaymentIntent(escrowId, reason));
    // awaiting_payment → open when the escrow was not funded in time: the unfunded escrow ends
    // first (its PaymentIntent by a job after commit; a late payment is refunded: R5).
    this.requestLifecycle.handleTimer('payment_window_lapse', async (em, locked, now) => {
      await this.cancelUnfunded(em, locked.request.id, 'abandoned');
      await this.requestLifecycle.apply(em, locked, { type: 'payment_window_lapsed' }, { now });
    });
  }

  /** In the accept transaction: the escrow, requires_payment, the fee split at today's rate. */
  createForAcceptedBid(em: EntityManager, request: HelpRequest, bid: Bid): Promise<Escrow> {
    const { platformFee, expertPayout } = splitFee(bid.amount, this.config.platformFeeBps);
    return this.escrowLifecycle.create(em, {
      requestId: request.id,
      bidId: bid.id,
      customerId: request.customerId,
      expertId: bid.expertId,
      amount: bid.amount,
      currency: bid.currency,
      feeBps: this.config.platformFeeBps,
      platformFee,
      expertPayout,
      warrantyDays: bid.warrantyDays,
    });
  }

  /**
   * In the accept transaction, before the request's state is checked: the same accept repeated
   * after its PaymentIntent could not be made (502/503) gets that escrow back, to be completed
   * with the same key; anything else (a concurrent repeat included) goes on to the usual 409.
   */
  async retryableAcceptance(em: EntityManager, request: HelpRequest, bid: Bid, now = new Date()): Promise<Escrow | null> {
    if (request.status !== 'awaiting_payment' || request.acceptedBidId !== bid.id) return null;
    const escrow = await em.getRepository(Escrow).findOne({ where: { requestId: request.id, bidId: bid.id, status: 'requires_payment' } });
    return escrow && paymentIntentRetryable(escrow, now) ? escrow : null;
  }

  /**
   * After the accept commits (M5: never inside it): the PaymentIntent, idempotent by `pi:<escrowId>`,
   * so a retry — of the accept, or by reconciliation — gets the same one. Throws 502/503 when
   * Stripe fails; the escrow then stays requires_payment without a PaymentIntent.
   */
  async ensurePaymentIntent(escrowId: string, now = new Date()): Promise<Escrow> {
    const repo = this.ds.getRepository(Escrow);
    const escrow = await repo.findOneByOrFail({ id: escrowId });
    if (escrow.paymentIntentId || escrow.status !== 'requires_payment') return escrow;
    // Item 5: `pi:<escrowId>` for 23 h from the accept; after that Stripe may have forgotten it, so a
    // PaymentIntent an earlier attempt made is searched for by our metadata before a new key is used.
    const key = stripeKey(`pi:${escrowId}`, escrow.createdAt, now);
    let pi: PaymentIntentView;
    try {
      const earlier = key.renewed ? (await this.gateway.searchPaymentIntentsOfEscrow(escrowId)).find((p) => p.metadata.escrowId === escrowId) : undefined;
      pi =
        earlier ??
        (await this.gateway.createPaymentIntent({
          idempotencyKey: key.key,
          escrowId,
          requestId: escrow.requestId,
          bidId: escrow.bidId,
          amount: escrow.amount,
          currency: escrow.currency,
        }));
    } catch (err) {
      await repo.update({ id: escrowId, paymentIntentId: IsNull() }, { paymentIntentFailedAt: new Date() }).catch(() => undefined);
      throw err;
    }
    this.faults.hit('after_payment_intent_create');
    await repo
      .createQueryBuilder()
      .update()
      .set({ paymentIntentId: pi.id, clientSecret: pi.clientSecret, paymentIntentFailedAt: null })
      .where('id = :id AND payment_intent_id IS NULL', { id: escrowId })
      .execute();
    const stored = await repo.findOneByOrFail({ id: escrowId });
    // Cancelled while Stripe was answering: that PaymentIntent must not stay payable.
    if (stored.status === 'cancelled') await this.cancelPaymentIntentAfterCommit(escrowId, 'requested_by_customer');
    return stored;
  }

  /**
   * In the cancel or payment-window-lapse transaction (request locked): the unfunded escrow is
   * cancelled and a durable job cancels its PaymentIntent after commit. A payment that still gets
   * through is refunded when its webhook arrives (R5).
   */
  async cancelUnfunded(em: EntityManager, requestId: string, reason: CancelReason): Promise<Escrow | null> {
    const escrow = await this.escrowLifecycle.lockOfRequest(em, requestId, ['requires_payment']);
    if (!escrow) return null;
    const cancelled = await this.escrowLifecycle.apply(em, escrow, { type: 'cancel' });
    await this.jobs.scheduleInTransaction(em, CANCEL_PAYMENT_INTENT_JOB, { escrowId: escrow.id, reason }, new Date(), `pi-cancel:${escrow.id}`);
    return cancelled;
  }

  /** The fast path after the cancel commits; the job retries whatever fails here. */
  async cancelPaymentIntentAfterCommit(escrowId: string, reason: CancelReason): Promise<void> {
    try {
      await this.cancelPaymentIntent(escrowId, reason);
    } catch (err) {
      this.logger.warn({ err, escrowId }, 'PaymentIntent not cancelled yet; the cancel job retries it');
    }
  }

  /** Cancels a cancelled escrow's PaymentIntent; one that was paid meanwhile is funded-and-refunded instead. */
  async cancelPaymentIntent(escrowId: string, reason: CancelReason): Promise<void> {
    const escrow = await this.ds.getRepository(Escrow).findOneBy({ id: escrowId });
    if (!escrow || escrow.status !== 'cancelled' || !escrow.paymentIntentId) return;
    const pi = await this.gateway.retrievePaymentIntent(escrow.paymentIntentId);
    if (pi.status === 'canceled') return;
    if (pi.status === 'succeeded') {
      await this.funding.syncPaymentIntent(pi);
      return;
    }
    try {
      await this.gateway.cancelPaymentIntent(pi.id, escrowId, reason);
    } catch (err) {
      if (!(err instanceof PaymentProviderError) || err.stripeCode !== 'payment_intent_unexpected_state') throw err;
      // Paid between our read and the cancel: the succeeded state wins, and is refunded.
      await this.funding.syncPaymentIntent(await this.gateway.retrievePaymentIntent(pi.id));
    }
  }

  /** A2: the owner, the escrow's expert and admins; anyone else gets the same 404 as a missing one. */
  async findForViewer(principal: Principal, requestId: string): Promise<{ escrow: Escrow; viewer: EscrowViewer; payoutReady: boolean }> {
    const found = await this.findViewable(principal, requestId);
    // Only a pending payout asks whether the expert's account can take it (one more read, then).
    if (found.escrow.payoutStatus !== 'pending') return { ...found, payoutReady: true };
    const [account] = (await this.ds.query(`SELECT (payouts_enabled AND status = 'enabled') AS "payable" FROM payout_accounts WHERE user_id = $1`, [
      found.escrow.expertId,
    ])) as Array<{ payable: boolean }>;
    return { ...found, payoutReady: Boolean(account?.payable) };
  }

  private async findViewable(principal: Principal, requestId: string): Promise<{ escrow: Escrow; viewer: EscrowViewer }> {
    const request = await this.ds.getRepository(HelpRequest).findOne({ where: { id: requestId }, select: { id: true, customerId: true } });
    const escrow = request
      ? await this.ds.getRepository(Escrow).findOne({ where: { requestId }, order: { createdAt: 'DESC', id: 'DESC' } })
      : null;
    if (!request || !escrow) throw notFound('Escrow');
    if (principal.role === 'admin') return { escrow, viewer: 'admin' };
    if (principal.role === 'customer' && request.customerId === principal.userId) return { escrow, viewer: 'owner' };
    if (principal.role === 'expert' && escrow.expertId === principal.userId) return { escrow, viewer: 'expert' };
    throw notFound('Escrow');
  }

  /** A release with no request move (see EscrowReleaseService; features use release() with their move). */
  releaseInTransaction(em: EntityManager, escrowId: string, options: ReleaseOptions): Promise<Escrow> {
    return this.releases.releaseInTransaction(em, escrowId, options);
  }

  /** A refund with no request move (see RefundService, key `refund:<disputeId>`). */
  refundInTransaction(em: EntityManager, escrowId: string, amount: number, idempotencyKey: string, options: { reason: string; now?: Date }): Promise<RefundDecision> {
    return this.refunds.refundInTransaction(em, escrowId, amount, idempotencyKey, options);
  }
}

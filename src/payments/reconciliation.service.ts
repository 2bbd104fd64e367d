import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, IsNull, MoreThan, Not } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { JobsService } from '../jobs/jobs.service';
import { reconcile, Violation } from './domain/reconciliation';
import { transferPurpose } from './domain/transfer-purpose';
import { Escrow } from './escrow.entity';
import { EscrowRefund } from './escrow-refund.entity';
import { EscrowService } from './escrow.service';
import { FundingService } from './funding.service';
import { LedgerTransaction } from './ledger-transaction.entity';
import { RECONCILE_JOB } from './payment-jobs';
import { PayoutService } from './payout.service';
import { ReconciliationRun } from './reconciliation-run.entity';
import { RefundService } from './refund.service';
import { StripeGateway } from './stripe/stripe.gateway';
import { PaymentIntentView } from './stripe/stripe-objects';

export interface ReconciliationResult {
  repaired: string[];
  violations: Violation[];
}

/** Stripe keeps idempotency keys at least 24 h; an hour of margin. */
const IDEMPOTENCY_WINDOW_HOURS = 23;

const PAYABLE: readonly string[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

/**
 * Repairs what a lost webhook or a crash after a Stripe call left behind, then compares Stripe
 * with the ledger (M4). Every repair goes through the same idempotent paths as the live flow
 * (same keys, same transitions), so running it any time, twice, or beside live traffic is safe.
 * Runs as a pg-boss cron job (once per tick across processes) and on demand: `run()`.
 */
@Injectable()
export class ReconciliationService implements OnModuleInit {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly gateway: StripeGateway,
    private readonly escrows: EscrowService,
    private readonly funding: FundingService,
    private readonly payouts: PayoutService,
    private readonly refunds: RefundService,
  ) {}

  onModuleInit(): void {
    this.jobs.register(RECONCILE_JOB, async () => void (await this.run()));
    if (this.config.stripe.reconcileIntervalSeconds) this.jobs.registerRecurring(RECONCILE_JOB, this.config.stripe.reconcileIntervalSeconds);
  }

  async run(): Promise<ReconciliationResult> {
    const startedAt = new Date();
    const repaired: string[] = [];
    const failures: Violation[] = [];
    const attempt = async (label: string, escrowId: string, repair: () => Promise<boolean>) => {
      try {
        if (await repair()) repaired.push(`${label}:${escrowId}`);
      } catch (err) {
        failures.push({ code: 'repair_failed', message: `${label} of escrow ${escrowId} failed: ${(err as Error).message}`, escrowId });
      }
    };
    await this.createMissingPaymentIntents(attempt);
    const paymentIntents = await this.gateway.listPaymentIntents();
    await this.syncPaymentIntents(paymentIntents, attempt);
    await this.retryPayoutsAndRefunds(attempt);
    const violations = [...failures, ...(await this.compare(paymentIntents))];
    await this.ds.getRepository(ReconciliationRun).insert({ startedAt, finishedAt: new Date(), repaired, violations });
    if (repaired.length || violations.length) this.logger.warn({ repaired, violations }, 'reconciliation found differences');
    return { repaired, violations };
  }

  /**
   * An accept whose PaymentIntent was never made (Stripe down, crash after commit), within the
   * payment window — and within Stripe's 24 h idempotency window, so `pi:<escrowId>` still finds
   * a PaymentIntent an unrecorded attempt made instead of creating a second one.
   */
  private async createMissingPaymentIntents(attempt: Attempt): Promise<void> {
    const since = new Date(Date.now() - Math.min(this.config.paymentWindowHours, IDEMPOTENCY_WINDOW_HOURS) * 3_600_000);
    const missing = await this.ds.getRepository(Escrow).find({ where: { status: 'requires_payment', paymentIntentId: IsNull(), createdAt: MoreThan(since) } });
    for (const escrow of missing) {
      await attempt('payment_intent', escrow.id, async () => Boolean((await this.escrows.ensurePaymentIntent(escrow.id)).paymentIntentId));
    }
  }

  /** F7: a paid PaymentIntent whose webhook never came funds (or refunds) its escrow; a cancelled escrow's PaymentIntent is cancelled. */
  private async syncPaymentIntents(paymentIntents: PaymentIntentView[], attempt: Attempt): Promise<void> {
    const ours = paymentIntents.filter((pi) => pi.metadata.escrowId);
    const escrows = await this.escrowsOf(ours.map((pi) => pi.metadata.escrowId));
    for (const pi of ours) {
      const escrow = escrows.get(pi.metadata.escrowId);
      if (!escrow) continue;
      const unfunded = escrow.status === 'requires_payment' || escrow.status === 'cancelled';
      if (unfunded && (pi.status === 'succeeded' || pi.status === 'canceled')) {
        await attempt('payment_intent_sync', escrow.id, async () => !['none', 'unknown', 'mismatch'].includes(await this.funding.syncPaymentIntent(pi)));
      } else if (escrow.status === 'cancelled' && PAYABLE.includes(pi.status)) {
        await attempt('payment_intent_cancel', escrow.id, async () => {
          await this.escrows.cancelPaymentIntent(escrow.id, 'abandoned');
          return true;
        });
      }
    }
  }

  private async retryPayoutsAndRefunds(attempt: Attempt): Promise<void> {
    const unpaid = await this.ds.getRepository(Escrow).find({
      where: { status: In(['released', 'partially_refunded']), payoutStatus: 'pending', frozen: false },
      select: { id: true },
    });
    for (const { id } of unpaid) await attempt('payout', id, async () => (await this.payouts.payEscrow(id)) === 'paid');
    const unpaidShares = await this.ds.getRepository(Escrow).find({
      where: { status: In(['released', 'partially_refunded']), partnerPayoutStatus: 'pending', frozen: false },
      select: { id: true },
    });
    for (const { id } of unpaidShares) await attempt('partner_payout', id, async () => (await this.payouts.payPartnerShare(id)) === 'paid');
    const pending = await this.ds.getRepository(EscrowRefund).find({ where: { status: 'pending', stripeRefundId: IsNull() } });
    for (const refund of pending) {
      await attempt('refund', refund.escrowId, async () => {
        await this.refunds.executeRefund(refund.id);
        return true;
      });
    }
  }

  /** M4, both ways, paging through Stripe with starting_after. */
  private async compare(paymentIntents: PaymentIntentView[]): Promise<Violation[]> {
    const [transfers, refunds] = await Promise.all([this.gateway.listTransfers(), this.gateway.listRefunds()]);
    const txns = await this.ds.getRepository(LedgerTransaction).find({ where: { kind: In(['funding', 'payout', 'partner_payout']) } });
    const refundRows = await this.ds.getRepository(EscrowRefund).find();
    const ourIntents = await this.ds.getRepository(Escrow).find({ where: { paymentIntentId: Not(IsNull()) }, select: { paymentIntentId: true } });
    return reconcile(
      {
        charges: paymentIntents
          .filter((pi) => pi.status === 'succeeded' && pi.chargeId && pi.metadata.escrowId)
          .map((pi) => ({ paymentIntentId: pi.id, chargeId: pi.chargeId as string, escrowId: pi.metadata.escrowId, amount: pi.amount })),
        transfers: transfers
          .filter((t) => t.metadata.escrowId)
          .map((t) => ({ id: t.id, escrowId: t.metadata.escrowId, amount: t.amount, purpose: transferPurpose(t.metadata) })),
        refunds: refunds.filter((r) => r.paymentIntentId).map((r) => ({ id: r.id, paymentIntentId: r.paymentIntentId as string, amount: r.amount, status: r.status })),
      },
      {
        fundings: txns.filter((t) => t.kind === 'funding').map((t) => ({ escrowId: t.escrowId, chargeId: t.stripeObjectId })),
        payouts: txns
          .filter((t) => t.kind === 'payout' || t.kind === 'partner_payout')
          .map((t) => ({ escrowId: t.escrowId, transferId: t.stripeObjectId, purpose: t.kind === 'payout' ? ('expert' as const) : ('partner' as const) })),
        refunds: refundRows.map((r) => ({ escrowId: r.escrowId, stripeRefundId: r.stripeRefundId, status: r.status, key: r.idempotencyKey })),
        paymentIntentIds: new Set(ourIntents.map((e) => e.paymentIntentId as string)),
      },
    );
  }

  private async escrowsOf(ids: string[]): Promise<Map<string, Escrow>> {
    const valid = ids.filter((id) => /^[0-9a-f-]{36}$/.test(id));
    if (valid.length === 0) return new Map();
    const rows = await this.ds.getRepository(Escrow).find({ where: { id: In(valid) } });
    return new Map(rows.map((e) => [e.id, e]));
  }
}

type Attempt = (label: string, escrowId: string, repair: () => Promise<boolean>) => Promise<void>;

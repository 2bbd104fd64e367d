import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { withTransaction } from '../database/transaction';
import { JobsService } from '../jobs/jobs.service';
import { Escrow } from './escrow.entity';
import { EscrowLifecycle } from './escrow-lifecycle.service';
import { LedgerService } from './ledger.service';
import { PaymentFaults } from './payment-faults';
import { EscrowJob, PAYOUT_JOB } from './payment-jobs';
import { StripeGateway } from './stripe/stripe.gateway';
import { PaymentProviderError } from './stripe/stripe-errors';
import { TransferView } from './stripe/stripe-objects';

export type PayoutOutcome = 'paid' | 'pending' | 'frozen' | 'nothing_to_pay';

const RELEASED = ['released', 'partially_refunded'] as const;

interface PayoutAccountRow {
  stripeAccountId: string;
  payable: boolean;
}

/**
 * The expert's money after a release: a Transfer of what the ledger says is owed (expert_payable
 * of the escrow) to their connected account, `source_transaction` = the charge, key
 * `transfer:<escrowId>`. At most one Transfer per escrow (M3): the Stripe key, a look-up of an
 * earlier transfer of this escrow, and the unique ledger reference `transfer:<escrowId>`.
 */
@Injectable()
export class PayoutService implements OnModuleInit {
  private readonly logger = new Logger(PayoutService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly gateway: StripeGateway,
    private readonly ledger: LedgerService,
    private readonly escrows: EscrowLifecycle,
    private readonly jobs: JobsService,
    private readonly faults: PaymentFaults,
  ) {}

  onModuleInit(): void {
    this.jobs.register<EscrowJob>(PAYOUT_JOB, async ({ escrowId }) => void (await this.payEscrow(escrowId)));
  }

  /** Schedules the payout job in the release's transaction, so a crash after commit still pays (F1). */
  scheduleInTransaction(em: EntityManager, escrowId: string): Promise<void> {
    return this.jobs.scheduleInTransaction(em, PAYOUT_JOB, { escrowId }, new Date(), `transfer:${escrowId}`);
  }

  /** The fast path right after a release commits; failures are left to the job. */
  async payAfterCommit(escrowId: string): Promise<PayoutOutcome | 'failed'> {
    try {
      return await this.payEscrow(escrowId);
    } catch (err) {
      this.logger.warn({ err, escrowId }, 'payout not made yet; the payout job retries it');
      return 'failed';
    }
  }

  /** Pays one released escrow; safe to call any number of times, concurrently too. Throws when Stripe fails (the job retries). */
  async payEscrow(escrowId: string): Promise<PayoutOutcome> {
    const escrow = await this.ds.getRepository(Escrow).findOneBy({ id: escrowId });
    if (!escrow || !(RELEASED as readonly string[]).includes(escrow.status) || escrow.payoutStatus === 'paid') return 'nothing_to_pay';
    if (escrow.frozen) return 'frozen';
    const owed = await this.ledger.escrowBalance(this.ds.manager, escrowId, 'expert_payable');
    if (owed <= 0) return 'nothing_to_pay';
    const account = await this.payoutAccount(escrow.expertId);
    // Released with a payout owed is `pending` already: it waits for account.updated.
    if (!account?.payable) return 'pending';
    if (!escrow.chargeId) throw new Error(`payout ${escrowId}: released escrow without a charge`);
    let transfer: TransferView;
    try {
      transfer =
        (await this.earlierTransfer(escrow)) ??
        (await this.gateway.createTransfer({
          escrowId,
          requestId: escrow.requestId,
          expertId: escrow.expertId,
          amount: owed,
          currency: escrow.currency,
          destination: account.stripeAccountId,
          sourceTransaction: escrow.chargeId,
        }));
    } catch (err) {
      if (err instanceof PaymentProviderError && err.stripeCode === 'insufficient_capabilities_for_transfer') return 'pending';
      throw err;
    }
    this.faults.hit('after_transfer_create');
    await withTransaction(this.ds, (em) => this.recordTransfer(em, escrowId, owed, transfer));
    return 'paid';
  }

  /** After account.updated says payouts are enabled: pay everything that waited (the payout-accounts hook). */
  async payPendingFor(expertId: string): Promise<PayoutOutcome[]> {
    const outcomes: PayoutOutcome[] = [];
    for (const id of await this.pendingEscrowIds(this.ds.manager, expertId)) outcomes.push(await this.payEscrow(id));
    return outcomes;
  }

  /** The same, durable: one payout job per pending escrow, in the caller's transaction. */
  async schedulePendingInTransaction(em: EntityManager, expertId: string): Promise<number> {
    const ids = await this.pendingEscrowIds(em, expertId);
    for (const id of ids) await this.scheduleInTransaction(em, id);
    return ids.length;
  }

  private async pendingEscrowIds(em: EntityManager, expertId: string): Promise<string[]> {
    const rows = await em.getRepository(Escrow).find({
      where: { expertId, payoutStatus: 'pending', status: In([...RELEASED]), frozen: false },
      select: { id: true },
      order: { releasedAt: 'ASC' },
    });
    return rows.map((r) => r.id);
  }

  /**
   * Stripe keeps idempotency keys for 24 h; a payout retried later (the expert onboarded days
   * after the release) must still find a transfer an earlier attempt made but never recorded.
   */
  private async earlierTransfer(escrow: Escrow): Promise<TransferView | null> {
    const transfers = await this.gateway.listTransfersOfGroup(escrow.requestId);
    return transfers.find((t) => t.metadata.escrowId === escrow.id) ?? null;
  }

  private async recordTransfer(em: EntityManager, escrowId: string, owed: number, transfer: TransferView): Promise<void> {
    const escrow = await this.escrows.lock(em, escrowId);
    if (!escrow || escrow.transferId) return;
    if (transfer.amount !== owed || transfer.currency !== escrow.currency) throw new Error(`payout ${escrowId}: transfer ${transfer.id} does not match what is owed`);
    await this.escrows.apply(em, escrow, { type: 'transfer_recorded', transferId: transfer.id, amount: owed });
  }

  /** The expert's Connect account (payout_accounts, kept by the payout-accounts feature and account.updated). */
  private async payoutAccount(expertId: string): Promise<PayoutAccountRow | null> {
    const [row] = (await this.ds.query(
      `SELECT stripe_account_id AS "stripeAccountId", (payouts_enabled AND status = 'enabled') AS "payable" FROM payout_accounts WHERE user_id = $1`,
      [expertId],
    )) as PayoutAccountRow[];
    return row ?? null;
  }
}

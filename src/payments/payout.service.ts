import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, FindOptionsWhere, In } from 'typeorm';
import { withTransaction } from '../database/transaction';
import { JobsService } from '../jobs/jobs.service';
import { PayoutStatus } from './domain/escrow-rules';
import { EscrowEvent } from './domain/escrow-state';
import { transferKey, TransferPurpose, transferPurpose } from './domain/transfer-purpose';
import { Escrow } from './escrow.entity';
import { EscrowLifecycle } from './escrow-lifecycle.service';
import { LedgerService } from './ledger.service';
import { PaymentFaults } from './payment-faults';
import { EscrowJob, PARTNER_PAYOUT_JOB, PAYOUT_JOB } from './payment-jobs';
import { StripeGateway } from './stripe/stripe.gateway';
import { PaymentProviderError } from './stripe/stripe-errors';
import { TransferView } from './stripe/stripe-objects';

export type PayoutOutcome = 'paid' | 'pending' | 'frozen' | 'nothing_to_pay';

const RELEASED = ['released', 'partially_refunded'] as const;

interface PayoutAccountRow {
  stripeAccountId: string;
  payable: boolean;
}

/** What differs between paying an escrow's expert and its partner; the rest is one path. */
interface Payee {
  readonly job: string;
  /** The ledger account holding what is owed to this payee for the escrow. */
  readonly owed: 'expert_payable' | 'partner_payable';
  status(escrow: Escrow): PayoutStatus;
  transferId(escrow: Escrow): string | null;
  payeeId(escrow: Escrow): string | null;
  recorded(transferId: string, amount: number): EscrowEvent;
  /** The payee's Connect account, kept by the payout-accounts feature and account.updated. */
  readonly accountSql: string;
  pending(payeeId: string): FindOptionsWhere<Escrow>;
}

const payableSql = (table: string, key: string) =>
  `SELECT stripe_account_id AS "stripeAccountId", (payouts_enabled AND status = 'enabled') AS "payable" FROM ${table} WHERE ${key} = $1`;

const PAYEES: Record<TransferPurpose, Payee> = {
  expert: {
    job: PAYOUT_JOB,
    owed: 'expert_payable',
    status: (e) => e.payoutStatus,
    transferId: (e) => e.transferId,
    payeeId: (e) => e.expertId,
    recorded: (transferId, amount) => ({ type: 'transfer_recorded', transferId, amount }),
    accountSql: payableSql('payout_accounts', 'user_id'),
    pending: (expertId) => ({ expertId, payoutStatus: 'pending' }),
  },
  partner: {
    job: PARTNER_PAYOUT_JOB,
    owed: 'partner_payable',
    status: (e) => e.partnerPayoutStatus,
    transferId: (e) => e.partnerTransferId,
    payeeId: (e) => e.partnerId,
    recorded: (transferId, amount) => ({ type: 'partner_transfer_recorded', transferId, amount }),
    accountSql: payableSql('partner_payout_accounts', 'partner_id'),
    pending: (partnerId) => ({ partnerId, partnerPayoutStatus: 'pending' }),
  },
};

/**
 * The money owed after a release: a Transfer of what the ledger says is owed to the expert
 * (expert_payable of the escrow) — and to the partner whose customer posted the request
 * (partner_payable, its revenue share: M9) — to their connected account, `source_transaction` =
 * the charge. At most one Transfer per escrow and purpose (M3): the Stripe key
 * (`transfer:<escrowId>`, `transfer:partner:<escrowId>`), a look-up of an earlier transfer of this
 * escrow and purpose, and the unique ledger reference of the same name.
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
    this.jobs.register<EscrowJob>(PARTNER_PAYOUT_JOB, async ({ escrowId }) => void (await this.payPartnerShare(escrowId)));
  }

  /** Schedules the payout job in the release's transaction, so a crash after commit still pays (F1). */
  scheduleInTransaction(em: EntityManager, escrowId: string, purpose: TransferPurpose = 'expert'): Promise<void> {
    return this.jobs.scheduleInTransaction(em, PAYEES[purpose].job, { escrowId }, new Date(), transferKey(purpose, escrowId));
  }

  /** The fast path right after a release commits: the expert, then the partner; failures are left to the jobs. Returns the expert's outcome. */
  async payAfterCommit(escrowId: string): Promise<PayoutOutcome | 'failed'> {
    const expert = await this.payNow(escrowId, 'expert');
    await this.payNow(escrowId, 'partner');
    return expert;
  }

  /** Pays one released escrow's expert; safe to call any number of times, concurrently too. Throws when Stripe fails (the job retries). */
  payEscrow(escrowId: string): Promise<PayoutOutcome> {
    return this.pay(escrowId, 'expert');
  }

  /** Pays one released escrow's partner its revenue share; as safe to repeat as payEscrow. */
  payPartnerShare(escrowId: string): Promise<PayoutOutcome> {
    return this.pay(escrowId, 'partner');
  }

  /** After account.updated says payouts are enabled: pay everything that waited for this expert. */
  async payPendingFor(expertId: string): Promise<PayoutOutcome[]> {
    const outcomes: PayoutOutcome[] = [];
    for (const id of await this.pendingEscrowIds(this.ds.manager, 'expert', expertId)) outcomes.push(await this.payEscrow(id));
    return outcomes;
  }

  /** The same, durable: one payout job per escrow waiting for this expert (or partner), in the caller's transaction. */
  async schedulePendingInTransaction(em: EntityManager, payeeId: string, purpose: TransferPurpose = 'expert'): Promise<number> {
    const ids = await this.pendingEscrowIds(em, purpose, payeeId);
    for (const id of ids) await this.scheduleInTransaction(em, id, purpose);
    return ids.length;
  }

  private async payNow(escrowId: string, purpose: TransferPurpose): Promise<PayoutOutcome | 'failed'> {
    try {
      return await this.pay(escrowId, purpose);
    } catch (err) {
      this.logger.warn({ err, escrowId, purpose }, 'payout not made yet; the payout job retries it');
      return 'failed';
    }
  }

  private async pay(escrowId: string, purpose: TransferPurpose): Promise<PayoutOutcome> {
    const payee = PAYEES[purpose];
    const escrow = await this.ds.getRepository(Escrow).findOneBy({ id: escrowId });
    if (!escrow || !(RELEASED as readonly string[]).includes(escrow.status) || payee.status(escrow) !== 'pending') return 'nothing_to_pay';
    if (escrow.frozen) return 'frozen';
    const owed = await this.ledger.escrowBalance(this.ds.manager, escrowId, payee.owed);
    const payeeId = payee.payeeId(escrow);
    if (owed <= 0 || !payeeId) return 'nothing_to_pay';
    const [account] = (await this.ds.query(payee.accountSql, [payeeId])) as PayoutAccountRow[];
    // Released with a payout owed is `pending` already: it waits for account.updated.
    if (!account?.payable) return 'pending';
    if (!escrow.chargeId) throw new Error(`payout ${escrowId}: released escrow without a charge`);
    let transfer: TransferView;
    try {
      transfer =
        (await this.earlierTransfer(escrow, purpose)) ??
        (await this.gateway.createTransfer({
          escrowId,
          requestId: escrow.requestId,
          purpose,
          payeeId,
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
    await withTransaction(this.ds, (em) => this.recordTransfer(em, escrowId, purpose, owed, transfer));
    return 'paid';
  }

  private async pendingEscrowIds(em: EntityManager, purpose: TransferPurpose, payeeId: string): Promise<string[]> {
    const rows = await em.getRepository(Escrow).find({
      where: { ...PAYEES[purpose].pending(payeeId), status: In([...RELEASED]), frozen: false },
      select: { id: true },
      order: { releasedAt: 'ASC' },
    });
    return rows.map((r) => r.id);
  }

  /**
   * Stripe keeps idempotency keys for 24 h; a payout retried later (the payee onboarded days
   * after the release) must still find a transfer an earlier attempt made but never recorded —
   * this escrow's, for this purpose: the expert's and the partner's share one transfer group.
   */
  private async earlierTransfer(escrow: Escrow, purpose: TransferPurpose): Promise<TransferView | null> {
    const transfers = await this.gateway.listTransfersOfGroup(escrow.requestId);
    return transfers.find((t) => t.metadata.escrowId === escrow.id && transferPurpose(t.metadata) === purpose) ?? null;
  }

  private async recordTransfer(em: EntityManager, escrowId: string, purpose: TransferPurpose, owed: number, transfer: TransferView): Promise<void> {
    const payee = PAYEES[purpose];
    const escrow = await this.escrows.lock(em, escrowId);
    if (!escrow || payee.transferId(escrow)) return;
    if (transfer.amount !== owed || transfer.currency !== escrow.currency) throw new Error(`payout ${escrowId}: transfer ${transfer.id} does not match what is owed`);
    await this.escrows.apply(em, escrow, payee.recorded(transfer.id, owed));
  }
}

import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, FindOptionsWhere, In } from 'typeorm';
import { withTransaction } from '../database/transaction';
import { JobsService } from '../jobs/jobs.service';
import { PayoutStatus } from './domain/escrow-rules';
import { stripeKey } from './domain/stripe-keys';
import { transferKey, TransferPurpose, transferPurpose } from './domain/transfer-purpose';
import { Escrow } from './escrow.entity';
import { EscrowLifecycle } from './escrow-lifecycle.service';
import { LedgerService } from './ledger.service';
import { PaymentFaults } from './payment-faults';
import { EscrowJob, HOLDBACK_PAYOUT_JOB, PARTNER_PAYOUT_JOB, PAYOUT_JOB } from './payment-jobs';
import { StripeGateway } from './stripe/stripe.gateway';
import { PaymentProviderError } from './stripe/stripe-errors';
import { TransferView } from './stripe/stripe-objects';

export type PayoutOutcome = 'paid' | 'pending' | 'held' | 'frozen' | 'nothing_to_pay';

const RELEASED: readonly string[] = ['released', 'partially_refunded'];

interface PayoutAccountRow {
  stripeAccountId: string;
  payable: boolean;
}

/** What differs between paying an escrow's expert and its partner; the rest is one path. */
interface Payee {
  readonly job: string;
  /** The ledger account holding what is owed to this payee for the escrow. */
  readonly owed: 'expert_payable' | 'partner_payable' | 'warranty_held';
  /** What of that account's balance is someone else's (the customer's part of a failed holdback refund). */
  notTheirs(escrow: Escrow): number;
  status(escrow: Escrow): PayoutStatus;
  transferId(escrow: Escrow): string | null;
  startedAt(escrow: Escrow): Date | null;
  payeeId(escrow: Escrow): string | null;
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
    notTheirs: () => 0,
    status: (e) => e.payoutStatus,
    transferId: (e) => e.transferId,
    startedAt: (e) => e.transferStartedAt,
    payeeId: (e) => e.expertId,
    accountSql: payableSql('payout_accounts', 'user_id'),
    pending: (expertId) => ({ expertId, payoutStatus: 'pending' }),
  },
  partner: {
    job: PARTNER_PAYOUT_JOB,
    owed: 'partner_payable',
    notTheirs: () => 0,
    status: (e) => e.partnerPayoutStatus,
    transferId: (e) => e.partnerTransferId,
    startedAt: (e) => e.partnerTransferStartedAt,
    payeeId: (e) => e.partnerId,
    accountSql: payableSql('partner_payout_accounts', 'partner_id'),
    pending: (partnerId) => ({ partnerId, partnerPayoutStatus: 'pending' }),
  },
  // The warranty holdback: the expert's too, paid once the warranty is over, from warranty_held.
  holdback: {
    job: HOLDBACK_PAYOUT_JOB,
    owed: 'warranty_held',
    // A failed refund of the holdback brought the customer's part back here: it is never the expert's.
    notTheirs: (e) => e.warrantyRefundFailed,
    status: (e) => e.holdbackPayoutStatus,
    transferId: (e) => e.holdbackTransferId,
    startedAt: (e) => e.holdbackTransferStartedAt,
    payeeId: (e) => e.expertId,
    accountSql: payableSql('payout_accounts', 'user_id'),
    pending: (expertId) => ({ expertId, holdbackPayoutStatus: 'pending' }),
  },
};

/** A payout decided under the escrow's lock (transferring), to be made at Stripe after commit. */
interface Decided {
  escrow: Escrow;
  owed: number;
  payeeId: string;
  destination: string;
  chargeId: string;
  /** A frozen escrow whose earlier attempt may have made the Transfer: only look, never create. */
  lookOnly: boolean;
}

/**
 * The money owed after a release: a Transfer of what the ledger says is owed to the expert
 * (expert_payable of the escrow) — and to the partner whose customer posted the request
 * (partner_payable, its revenue share: M9) — to their connected account, `source_transaction` =
 * the charge. M8: the decision is taken under the escrow's row lock — not frozen, the security
 * hold over (PAYOUT_HOLD_HOURS), something owed — and marks the payout `transferring` before the
 * transaction commits; only then is Stripe called, so a chargeback that freezes the escrow either
 * comes first (no Transfer) or finds it `transferring` (and books the loss as owed back). At most
 * one Transfer per escrow and purpose (M3): the Stripe key (`transfer:<escrowId>`,
 * `transfer:partner:<escrowId>`, renewed after 23 h), a look-up of an earlier transfer of this
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
    this.jobs.register<EscrowJob>(HOLDBACK_PAYOUT_JOB, async ({ escrowId }) => void (await this.payHoldback(escrowId)));
  }

  /** Schedules the payout job in the release's transaction (from `startAfter`: the security hold), so a crash after commit still pays (F1). */
  scheduleInTransaction(em: EntityManager, escrowId: string, purpose: TransferPurpose = 'expert', startAfter = new Date()): Promise<void> {
    return this.jobs.scheduleInTransaction(em, PAYEES[purpose].job, { escrowId }, startAfter, transferKey(purpose, escrowId));
  }

  /** The fast path right after a release commits: the expert, then the partner; failures are left to the jobs. Returns the expert's outcome. */
  async payAfterCommit(escrowId: string): Promise<PayoutOutcome | 'failed'> {
    const expert = await this.payNow(escrowId, 'expert');
    await this.payNow(escrowId, 'partner');
    return expert;
  }

  /** Pays one released escrow's expert; safe to call any number of times, concurrently too. Throws when Stripe fails (the job retries). */
  payEscrow(escrowId: string, now?: Date): Promise<PayoutOutcome> {
    return this.pay(escrowId, 'expert', now);
  }

  /** Pays one released escrow's partner its revenue share; as safe to repeat as payEscrow. */
  payPartnerShare(escrowId: string, now?: Date): Promise<PayoutOutcome> {
    return this.pay(escrowId, 'partner', now);
  }

  /** Pays one escrow's warranty holdback once the warranty is over; as safe to repeat as payEscrow. */
  payHoldback(escrowId: string, now?: Date): Promise<PayoutOutcome> {
    return this.pay(escrowId, 'holdback', now);
  }

  /** The holdback's fast path right after the warranty ends; failures are left to its job. */
  async payHoldbackAfterCommit(escrowId: string): Promise<PayoutOutcome | 'failed'> {
    return this.payNow(escrowId, 'holdback');
  }

  /** After account.updated says payouts are enabled: pay everything that waited for this expert. */
  async payPendingFor(expertId: string): Promise<PayoutOutcome[]> {
    const outcomes: PayoutOutcome[] = [];
    for (const id of await this.pendingEscrowIds(this.ds.manager, 'expert', expertId)) outcomes.push(await this.payEscrow(id));
    return outcomes;
  }

  /** The same, durable: one payout job per escrow waiting for this expert (or partner), in the caller's transaction, each from its hold's end. */
  async schedulePendingInTransaction(em: EntityManager, payeeId: string, purpose: TransferPurpose = 'expert'): Promise<number> {
    const rows = await em.getRepository(Escrow).find({
      where: { ...PAYEES[purpose].pending(payeeId), status: In([...RELEASED]), frozen: false },
      select: { id: true, payoutAvailableAt: true },
    });
    for (const row of rows) await this.scheduleInTransaction(em, row.id, purpose, row.payoutAvailableAt ?? new Date());
    return rows.length;
  }

  private async payNow(escrowId: string, purpose: TransferPurpose): Promise<PayoutOutcome | 'failed'> {
    try {
      return await this.pay(escrowId, purpose);
    } catch (err) {
      this.logger.warn({ err, escrowId, purpose }, 'payout not made yet; the payout job retries it');
      return 'failed';
    }
  }

  private async pay(escrowId: string, purpose: TransferPurpose, now = new Date()): Promise<PayoutOutcome> {
    // A cheap unlocked look first: most calls find nothing to do.
    const peek = await this.ds.getRepository(Escrow).findOne({
      where: { id: escrowId },
      select: { id: true, status: true, payoutStatus: true, partnerPayoutStatus: true, holdbackPayoutStatus: true },
    });
    const peekStatus = peek && PAYEES[purpose].status(peek as Escrow);
    if (!peek || !RELEASED.includes(peek.status) || (peekStatus !== 'pending' && peekStatus !== 'transferring')) return 'nothing_to_pay';
    const decided = await withTransaction(this.ds, (em) => this.decide(em, escrowId, purpose, now));
    if (typeof decided === 'string') return decided;
    const payee = PAYEES[purpose];
    const startedAt = payee.startedAt(decided.escrow) ?? now;
    const key = stripeKey(transferKey(purpose, escrowId), startedAt, now);
    let transfer: TransferView | null;
    try {
      transfer = await this.earlierTransfer(decided.escrow, purpose);
      if (!transfer && !decided.lookOnly) {
        transfer = await this.gateway.createTransfer({
          escrowId,
          requestId: decided.escrow.requestId,
          purpose,
          payeeId: decided.payeeId,
          amount: decided.owed,
          currency: decided.escrow.currency,
          destination: decided.destination,
          sourceTransaction: decided.chargeId,
          idempotencyKey: key.key,
        });
      }
    } catch (err) {
      if (err instanceof PaymentProviderError && err.stripeCode === 'insufficient_capabilities_for_transfer') {
        await this.giveBack(escrowId, purpose, now);
        return 'pending';
      }
      throw err; // still transferring: the job retries, finding the Transfer if Stripe made it
    }
    if (!transfer) {
      // Frozen, and no earlier attempt made it: owed again, and paid only if the chargeback is won.
      await this.giveBack(escrowId, purpose, now);
      return 'frozen';
    }
    this.faults.hit('after_transfer_create');
    await withTransaction(this.ds, (em) => this.recordTransfer(em, escrowId, purpose, decided.owed, transfer as TransferView, now));
    return 'paid';
  }

  /**
   * M8, under the escrow's lock: a pending payout becomes `transferring` when it is due, owed and
   * not frozen; one already `transferring` (an attempt that crashed or failed at Stripe) goes on
   * with the same amount — looking only, if a chargeback froze it since.
   */
  private async decide(em: EntityManager, escrowId: string, purpose: TransferPurpose, now: Date): Promise<Decided | PayoutOutcome> {
    const payee = PAYEES[purpose];
    let escrow = await this.escrows.lock(em, escrowId);
    if (!escrow || !RELEASED.includes(escrow.status)) return 'nothing_to_pay';
    const status = payee.status(escrow);
    if (status !== 'pending' && status !== 'transferring') return 'nothing_to_pay';
    if (status === 'pending') {
      if (escrow.frozen) return 'frozen';
      if (escrow.payoutAvailableAt && now < escrow.payoutAvailableAt) return 'held';
    }
    const owed = (await this.ledger.escrowBalance(em, escrowId, payee.owed)) - payee.notTheirs(escrow);
    const payeeId = payee.payeeId(escrow);
    if (owed <= 0 || !payeeId) return 'nothing_to_pay';
    const [account] = (await em.query(payee.accountSql, [payeeId])) as PayoutAccountRow[];
    // Released with a payout owed is `pending` already: it waits for account.updated.
    if (!account?.payable) {
      if (status === 'transferring') await this.escrows.apply(em, escrow, { type: 'transfer_failed', payee: purpose }, now);
      return 'pending';
    }
    const chargeId = escrow.chargeId;
    if (!chargeId) throw new Error(`payout ${escrowId}: released escrow without a charge`);
    if (status === 'pending') escrow = await this.escrows.apply(em, escrow, { type: 'transfer_started', payee: purpose }, now);
    return { escrow, owed, payeeId, destination: account.stripeAccountId, chargeId, lookOnly: escrow.frozen };
  }

  /** The Transfer was not made: owed again (pending), for account.updated or a won chargeback to resume. */
  private giveBack(escrowId: string, purpose: TransferPurpose, now: Date): Promise<void> {
    return withTransaction(this.ds, async (em) => {
      const escrow = await this.escrows.lock(em, escrowId);
      if (escrow && PAYEES[purpose].status(escrow) === 'transferring') await this.escrows.apply(em, escrow, { type: 'transfer_failed', payee: purpose }, now);
    });
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

  private async recordTransfer(em: EntityManager, escrowId: string, purpose: TransferPurpose, owed: number, transfer: TransferView, now: Date): Promise<void> {
    const payee = PAYEES[purpose];
    const escrow = await this.escrows.lock(em, escrowId);
    if (!escrow || payee.transferId(escrow)) return;
    if (transfer.amount !== owed || transfer.currency !== escrow.currency) throw new Error(`payout ${escrowId}: transfer ${transfer.id} does not match what is owed`);
    await this.escrows.apply(em, escrow, { type: 'transfer_recorded', payee: purpose, transferId: transfer.id, amount: owed }, now);
  }
}

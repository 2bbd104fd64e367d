import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import type { LedgerAccount, LedgerKind } from './domain/ledger-postings';
import { LedgerTransaction } from './ledger-transaction.entity';

/** bigint comes back from pg as a string; ledger amounts stay far inside Number's exact range. */
const bigintAsNumber = { to: (value: number) => value, from: (value: string | null) => (value === null ? null : Number(value)) };

/**
 * One line of a ledger transaction. A trigger refuses UPDATE, DELETE and TRUNCATE (M1); a
 * deferred constraint trigger refuses a commit whose transaction's lines do not sum to zero per
 * currency. escrow_id, request_id and kind repeat the transaction's, for per-escrow balances.
 */
@Entity('ledger_entries')
@Check('CHK_ledger_entries_account', `"account" IN ('customer_funds','escrow_held','platform_revenue','expert_payable','partner_payable','paid_out','refunded','chargeback_loss','expert_receivable','partner_receivable','unclaimed_refunds','warranty_held')`)
@Check('CHK_ledger_entries_amount', `"amount" <> 0`)
@Check('CHK_ledger_entries_currency', `"currency" IN ('usd','eur','gbp')`)
@Index('IDX_ledger_entries_txn', ['txnId'])
@Index('IDX_ledger_entries_escrow_account', ['escrowId', 'account'])
@Index('IDX_ledger_entries_account_currency', ['account', 'currency'])
export class LedgerEntry {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'txn_id', type: 'uuid' })
  txnId!: string;

  @ManyToOne(() => LedgerTransaction, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'txn_id', foreignKeyConstraintName: 'FK_ledger_entries_txn' })
  txn?: Relation<LedgerTransaction>;

  @Column({ type: 'text' })
  account!: LedgerAccount;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  amount!: number;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'escrow_id', type: 'uuid' })
  escrowId!: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @Column({ type: 'text' })
  kind!: LedgerKind;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

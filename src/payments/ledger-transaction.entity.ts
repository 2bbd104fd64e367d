import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import type { LedgerKind } from './domain/ledger-postings';
import { Escrow } from './escrow.entity';

/**
 * One balanced ledger transaction (its lines are ledger_entries). `reference` is unique and built
 * from our own ids — `funding:<escrowId>`, `release:<escrowId>`, `transfer:<escrowId>`,
 * `transfer:partner:<escrowId>`, the refund's idempotency key — so nothing is funded, released,
 * paid or refunded twice (M3).
 * `stripe_object_id` links it to the charge, transfer or refund it records (M4). Append-only (M1).
 */
@Entity('ledger_transactions')
@Check('CHK_ledger_transactions_kind', `"kind" IN ('funding','release','payout','partner_payout','refund','chargeback','reversal','refund_failed','write_off','recovery','holdback_payout')`)
@Index('UQ_ledger_transactions_reference', ['reference'], { unique: true })
@Index('UQ_ledger_transactions_stripe_object', ['stripeObjectId'], { unique: true })
@Index('IDX_ledger_transactions_escrow', ['escrowId', 'kind'])
@Index('IDX_ledger_transactions_created', ['createdAt'])
export class LedgerTransaction {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  kind!: LedgerKind;

  @Column({ type: 'text' })
  reference!: string;

  @Column({ name: 'escrow_id', type: 'uuid' })
  escrowId!: string;

  @ManyToOne(() => Escrow, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'escrow_id', foreignKeyConstraintName: 'FK_ledger_transactions_escrow' })
  escrow?: Relation<Escrow>;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @Column({ name: 'stripe_object_id', type: 'text', nullable: true })
  stripeObjectId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { Escrow } from './escrow.entity';

/**
 * `failed`: Stripe failed it (or refused it outright, or it ran out of attempts): the money is
 * back in escrow and a refund_failed dispute decides what happens. `chargeback`: rows from before
 * v1.1, when an admin closed a charged-back escrow as a refund.
 */
export type EscrowRefundStatus = 'pending' | 'succeeded' | 'failed' | 'chargeback';

/** Attempts at Stripe before a refund is handed to an admin (M7: never retried forever). */
export const REFUND_MAX_ATTEMPTS = 6;

/**
 * A refund we decided (dispute, cancel racing funding) or found at Stripe (dashboard). Written
 * with its ledger posting; the Stripe Refund is made after commit with `idempotency_key`, and
 * `stripe_refund_id` links the two (M4). The key is unique: one decision, one Stripe refund.
 */
@Entity('escrow_refunds')
@Check('CHK_escrow_refunds_status', `"status" IN ('pending','succeeded','failed','chargeback')`)
@Check('CHK_escrow_refunds_amount', `"amount" > 0`)
@Index('UQ_escrow_refunds_key', ['idempotencyKey'], { unique: true })
@Index('UQ_escrow_refunds_stripe_refund', ['stripeRefundId'], { unique: true })
@Index('IDX_escrow_refunds_escrow', ['escrowId'])
@Index('IDX_escrow_refunds_status', ['status', 'createdAt'])
@Index('IDX_escrow_refunds_updated', ['updatedAt'])
export class EscrowRefund {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'escrow_id', type: 'uuid' })
  escrowId!: string;

  @ManyToOne(() => Escrow, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'escrow_id', foreignKeyConstraintName: 'FK_escrow_refunds_escrow' })
  escrow?: Relation<Escrow>;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @Column({ type: 'int' })
  amount!: number;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  @Column({ name: 'stripe_refund_id', type: 'text', nullable: true })
  stripeRefundId!: string | null;

  @Column({ type: 'text', default: 'pending' })
  status!: EscrowRefundStatus;

  @Column({ type: 'text' })
  reason!: string;

  /** Refunded from the warranty holdback (warranty_held), not from the escrow's held money. */
  @Column({ name: 'from_holdback', type: 'boolean', default: false })
  fromHoldback!: boolean;

  /** Calls made to Stripe for it; at REFUND_MAX_ATTEMPTS it is handed to an admin. */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** Why Stripe failed or refused it (Stripe's failure_reason or error code). */
  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { HelpRequest } from '../requests/help-request.entity';
import { User } from '../users/user.entity';
import type { DisputeOpener, DisputeOutcome, DisputeStatus } from './domain/dispute-rules';

/**
 * A request's dispute, for an admin to settle. A request reaches `disputed` at most once (the
 * state table has no way back to in_progress or resolved), so `request_id` is unique.
 * `opened_by`: the customer (dispute, or a review saying "not fixed"), the system (hold limit),
 * or a chargeback (Stripe's `charge.dispute.created`).
 */
@Entity('disputes')
@Check('CHK_disputes_status', `"status" IN ('open','resolved')`)
@Check('CHK_disputes_opened_by', `"opened_by" IN ('customer','system','chargeback')`)
@Check('CHK_disputes_outcome', `"outcome" IS NULL OR "outcome" IN ('release','refund','split')`)
@Check('CHK_disputes_resolution', `("status" = 'open') = ("outcome" IS NULL AND "resolved_at" IS NULL)`)
@Check('CHK_disputes_refund_amount', `("outcome" IS NOT DISTINCT FROM 'split') = ("refund_amount" IS NOT NULL) AND ("refund_amount" IS NULL OR "refund_amount" > 0)`)
@Index('UQ_disputes_request', ['requestId'], { unique: true })
@Index('IDX_disputes_status_created', ['status', 'createdAt', 'id'])
@Index('IDX_disputes_created', ['createdAt', 'id'])
@Index('IDX_disputes_opener_created', ['openedByUserId', 'createdAt'])
export class Dispute {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @ManyToOne(() => HelpRequest, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'FK_disputes_request' })
  request?: Relation<HelpRequest>;

  @Column({ type: 'text', default: 'open' })
  status!: DisputeStatus;

  @Column({ name: 'opened_by', type: 'text' })
  openedBy!: DisputeOpener;

  /** The customer who opened it; null when the system or a chargeback did. */
  @Column({ name: 'opened_by_user_id', type: 'uuid', nullable: true })
  openedByUserId!: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'opened_by_user_id', foreignKeyConstraintName: 'FK_disputes_opened_by_user' })
  openedByUser?: Relation<User>;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'text', nullable: true })
  outcome!: DisputeOutcome | null;

  /** Minor units returned to the customer by a split; the escrow's currency. */
  @Column({ name: 'refund_amount', type: 'int', nullable: true })
  refundAmount!: number | null;

  @Column({ name: 'resolved_by', type: 'uuid', nullable: true })
  resolvedBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'resolved_by', foreignKeyConstraintName: 'FK_disputes_resolved_by' })
  resolvedByUser?: Relation<User>;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { HelpRequest } from '../requests/help-request.entity';
import { User } from '../users/user.entity';
import { Escrow } from '../payments/escrow.entity';
import type { DisputeKind, DisputeOpener, DisputeOutcome, DisputeStatus } from './domain/dispute-rules';

/**
 * A request's dispute. `kind` says what it is about and how it ends (contract §3): customer,
 * chargeback and warranty hold the request in `disputed` — at most one of those open per request
 * (a won chargeback sends the request back, so a request may be disputed again later);
 * post_payout_chargeback and refund_failed are about money only and name what they settle in
 * `reference` (the Stripe dispute or refund id; one dispute per kind and reference).
 * `opened_by`: the customer (dispute, or a review saying "not fixed"), the system (hold limit,
 * a failed refund), or a chargeback (Stripe's `charge.dispute.created`). Stripe's decision on a
 * chargeback closes its dispute with `chargeback_won` / `chargeback_lost`, with no admin.
 */
@Entity('disputes')
@Check('CHK_disputes_status', `"status" IN ('open','resolved')`)
@Check('CHK_disputes_opened_by', `"opened_by" IN ('customer','system','chargeback')`)
@Check('CHK_disputes_kind', `"kind" IN ('customer','chargeback','warranty','post_payout_chargeback','refund_failed')`)
@Check('CHK_disputes_outcome', `"outcome" IS NULL OR "outcome" IN ('release','refund','split','recovered','write_off','retry_refund','chargeback_won','chargeback_lost')`)
@Check('CHK_disputes_resolution', `("status" = 'open') = ("outcome" IS NULL AND "resolved_at" IS NULL)`)
@Check('CHK_disputes_refund_amount', `("outcome" IS NOT DISTINCT FROM 'split') <= ("refund_amount" IS NOT NULL) AND ("refund_amount" IS NULL OR "refund_amount" >= 0)`)
@Index('UQ_disputes_open_per_request', ['requestId'], { unique: true, where: `"status" = 'open' AND "kind" IN ('customer','chargeback','warranty')` })
@Index('UQ_disputes_reference', ['kind', 'reference'], { unique: true, where: `"reference" IS NOT NULL` })
@Index('IDX_disputes_request', ['requestId', 'createdAt'])
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

  @Column({ type: 'text', default: 'customer' })
  kind!: DisputeKind;

  /** The escrow whose money it is about (null on disputes filed before v1.1 or before funding). */
  @Column({ name: 'escrow_id', type: 'uuid', nullable: true })
  escrowId!: string | null;

  @ManyToOne(() => Escrow, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'escrow_id', foreignKeyConstraintName: 'FK_disputes_escrow' })
  escrow?: Relation<Escrow>;

  /** What a money-only dispute settles: the Stripe dispute (dp_…) or the failed refund (re_…). */
  @Column({ type: 'text', nullable: true })
  reference!: string | null;

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

  /** Minor units returned to the customer by a split, or what a debt or failed-refund outcome settled; the escrow's currency. */
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

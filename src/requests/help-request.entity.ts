import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { Category } from '../categories/category.entity';
import { User } from '../users/user.entity';
import type { RequestStatus } from './domain/request-state';

/**
 * A customer's paid help request. Its state (`status` and the columns the state table names) is
 * written only by RequestLifecycle, which takes this row's lock first in every use case (the lock
 * order in src/database/locks.ts); the lock also serialises `event_sequence`.
 * `search` is a tsvector kept by a trigger (title weighted above description) behind a GIN index
 * that also keys each row by its creation hour (search probes the newest hours first).
 * The solution columns are the knowledge base's (src/solutions): `solution_search` is kept by its
 * own trigger (title A, the expert's public summary B, the category's words C) and indexed only
 * while published. The private `resolution_note` is never part of it.
 */
@Entity('help_requests')
@Check('CHK_help_requests_status', `"status" IN ('open','awaiting_payment','in_progress','resolved','completed','disputed','refunded','cancelled','expired')`)
@Check('CHK_help_requests_urgency', `"urgency" IN ('low','normal','urgent')`)
@Check('CHK_help_requests_budget', `("max_budget_amount" IS NULL AND "max_budget_currency" IS NULL) OR ("max_budget_amount" BETWEEN 500 AND 1000000 AND "max_budget_currency" IN ('usd','eur','gbp'))`)
@Index('IDX_help_requests_customer', ['customerId', 'createdAt', 'id'])
@Index('IDX_help_requests_status_created', ['status', 'createdAt', 'id'])
@Index('IDX_help_requests_status_category_created', ['status', 'category', 'createdAt', 'id'])
@Check('CHK_help_requests_published_summary', `"published_at" IS NULL OR "solution_summary" IS NOT NULL`)
@Check('CHK_help_requests_published_moderated', `"published_at" IS NULL OR "unpublished_reason" IS NULL`)
@Index('IDX_help_requests_search_hour', { synchronize: false })
@Index('IDX_help_requests_solution_search', { synchronize: false })
@Index('IDX_help_requests_published', ['closedAt', 'id'], { where: `"published_at" IS NOT NULL` })
export class HelpRequest {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'FK_help_requests_customer' })
  customer?: Relation<User>;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'text' })
  category!: string;

  @ManyToOne(() => Category, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'category', foreignKeyConstraintName: 'FK_help_requests_category' })
  categoryRef?: Relation<Category>;

  @Column({ name: 'max_budget_amount', type: 'int', nullable: true })
  maxBudgetAmount!: number | null;

  @Column({ name: 'max_budget_currency', type: 'text', nullable: true })
  maxBudgetCurrency!: string | null;

  @Column({ type: 'text', default: 'normal' })
  urgency!: 'low' | 'normal' | 'urgent';

  @Column({ type: 'text', default: 'en' })
  language!: string;

  @Column({ type: 'text', default: 'open' })
  status!: RequestStatus;

  @Column({ name: 'bid_count', type: 'int', default: 0 })
  bidCount!: number;

  @Column({ name: 'accepted_bid_id', type: 'uuid', nullable: true })
  acceptedBidId!: string | null;

  @Column({ name: 'bidding_closes_at', type: 'timestamptz' })
  biddingClosesAt!: Date;

  /** When the current bid was accepted: the payment window runs from here. */
  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt!: Date | null;

  @Column({ name: 'funded_at', type: 'timestamptz', nullable: true })
  fundedAt!: Date | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'review_due_at', type: 'timestamptz', nullable: true })
  reviewDueAt!: Date | null;

  @Column({ name: 'resolution_note', type: 'text', nullable: true })
  resolutionNote!: string | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  /** The expert's public account of the fix, given at resolve; published only by the customer. */
  @Column({ name: 'solution_summary', type: 'text', nullable: true })
  solutionSummary!: string | null;

  /** Set while the solution is in the public knowledge base. */
  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  /** An admin's reason for taking the solution down (moderation): the customer cannot publish it again. */
  @Column({ name: 'unpublished_reason', type: 'text', nullable: true })
  unpublishedReason!: string | null;

  /** Completed by the auto-release timer with no review (contract `autoReleased`); column from migrations/*-ReviewsDisputesPayouts.ts. */
  /** The status a dispute interrupted (in_progress or resolved): a won chargeback goes back to it. */
  @Column({ name: 'disputed_from', type: 'text', nullable: true })
  disputedFrom!: RequestStatus | null;

  /** The accepted bid's fix warranty in days (0: none), fixed at accept. */
  @Column({ name: 'warranty_days', type: 'int', default: 0 })
  warrantyDays!: number;

  /** While a warranty holdback is held: when the warranty ends (the owner may reopen until then). */
  @Column({ name: 'warranty_ends_at', type: 'timestamptz', nullable: true })
  warrantyEndsAt!: Date | null;

  /** The resolution round: 1, then 2 after a warranty reopen (one review per round). */
  @Column({ type: 'int', default: 1 })
  round!: number;

  @Column({ name: 'reopened_at', type: 'timestamptz', nullable: true })
  reopenedAt!: Date | null;

  /** Why the owner reopened the job (private to the two parties, like the resolution note). */
  @Column({ name: 'reopen_reason', type: 'text', nullable: true })
  reopenReason!: string | null;

  @Column({ name: 'auto_released', type: 'boolean', default: false })
  autoReleased!: boolean;

  /** The last `sequence` given to one of this request's events. */
  @Column({ name: 'event_sequence', type: 'int', default: 0 })
  eventSequence!: number;

  /** Full-text document, kept by the trigger in the Marketplace migration (title weighted A, description B). */
  @Column({ type: 'tsvector', nullable: true, select: false, insert: false, update: false })
  search?: string;

  /** The solution's full-text document, kept by the trigger in the Solutions migration (null without a summary). */
  @Column({ name: 'solution_search', type: 'tsvector', nullable: true, select: false, insert: false, update: false })
  solutionSearch?: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { HelpRequest } from '../requests/help-request.entity';
import { User } from '../users/user.entity';

/**
 * The customer's one review of a resolved request. `request_id` is unique: a second review is
 * refused by the index even if two reach the database at once (`already_reviewed`).
 * `publish_solution` and `rating` feed the solutions knowledge base.
 */
@Entity('reviews')
@Check('CHK_reviews_rating', `"rating" BETWEEN 1 AND 5`)
@Check('CHK_reviews_comment_when_unresolved', `"resolved" OR "comment" IS NOT NULL`)
@Index('UQ_reviews_request_round', ['requestId', 'round'], { unique: true })
@Index('IDX_reviews_expert_created', ['expertId', 'createdAt'])
export class Review {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  /** The resolution round it reviews: 1, or 2 after a warranty reopen (one review per round). */
  @Column({ type: 'int', default: 1 })
  round!: number;

  @ManyToOne(() => HelpRequest, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'FK_reviews_request' })
  request?: Relation<HelpRequest>;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'FK_reviews_customer' })
  customer?: Relation<User>;

  @Column({ name: 'expert_id', type: 'uuid' })
  expertId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'expert_id', foreignKeyConstraintName: 'FK_reviews_expert' })
  expert?: Relation<User>;

  @Column({ type: 'smallint' })
  rating!: number;

  /** The customer's answer to "is it fixed?": true releases the escrow, false opens a dispute. */
  @Column({ type: 'boolean' })
  resolved!: boolean;

  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  /**
   * Whether this rating counts toward the expert's reputation: false when the same customer's
   * rating of the same expert already counted within 30 days (ratingCounts in src/experts/domain/reputation.ts).
   */
  @Column({ name: 'counts_in_reputation', type: 'boolean', default: true })
  countsInReputation!: boolean;

  @Column({ name: 'publish_solution', type: 'boolean', default: false })
  publishSolution!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

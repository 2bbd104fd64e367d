import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { HelpRequest } from '../requests/help-request.entity';
import { User } from '../users/user.entity';

/**
 * A scored pairing of an open request and an expert, computed when the request is posted and
 * when an expert updates a profile. The expert feed and a request's matches read this table
 * through index scans instead of scoring at read time. `feed_until` marks the pairings the feed
 * may still show (src/requests/feed-index.ts); IDX_request_matches_feed indexes only those.
 */
@Entity('request_matches')
@Index('IDX_request_matches_expert_score', ['expertId', 'score', 'requestId'])
@Index('IDX_request_matches_request_score', ['requestId', 'score'])
@Index('IDX_request_matches_feed', ['expertId', 'score', 'requestId'], { where: '"feed_until" IS NOT NULL' })
export class RequestMatch {
  @PrimaryColumn({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @PrimaryColumn({ name: 'expert_id', type: 'uuid' })
  expertId!: string;

  @ManyToOne(() => HelpRequest, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'FK_request_matches_request' })
  request?: Relation<HelpRequest>;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'expert_id', foreignKeyConstraintName: 'FK_request_matches_expert' })
  expert?: Relation<User>;

  /** 0..1 */
  @Column({ type: 'real' })
  score!: number;

  @Column({ type: 'text', array: true })
  reasons!: string[];

  /** The request's bidding close while the feed may show this pairing (open, not bid on); NULL otherwise. */
  @Column({ name: 'feed_until', type: 'timestamptz', nullable: true })
  feedUntil!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

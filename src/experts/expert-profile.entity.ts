import { Column, CreateDateColumn, Entity, Index, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { User } from '../users/user.entity';
import { ReputationTallyColumns } from './reputation-tally.columns';

/**
 * An expert's public profile and the counters matching reads (reputation, load, activity).
 * `skills` are category slugs. The GIN index serves "experts with skill X". The inherited `rep_…`
 * columns are the overall reputation tally; per-skill tallies are in expert_skill_reputation.
 */
@Entity('expert_profiles')
@Index('IDX_expert_profiles_skills', { synchronize: false })
@Index('IDX_expert_profiles_search', { synchronize: false })
@Index('IDX_expert_profiles_reputation', ['reputationScore', 'userId'])
// Expression index on the rating average (migrations/*-ExpertListIndexes.ts): TypeORM cannot model it.
@Index('IDX_expert_profiles_rating', { synchronize: false })
export class ExpertProfile extends ReputationTallyColumns {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_expert_profiles_user' })
  user?: Relation<User>;

  @Column({ type: 'text' })
  headline!: string;

  @Column({ type: 'text', default: '' })
  bio!: string;

  @Column({ type: 'text', array: true })
  skills!: string[];

  @Column({ type: 'text', array: true })
  languages!: string[];

  @Column({ type: 'boolean', default: true })
  available!: boolean;

  @Column({ name: 'rating_count', type: 'int', default: 0 })
  ratingCount!: number;

  @Column({ name: 'rating_sum', type: 'int', default: 0 })
  ratingSum!: number;

  /** 0..100: reputationScore() of the `rep_…` tally (src/experts/domain/reputation.ts), written with it. */
  @Column({ name: 'reputation_score', type: 'smallint', default: 50 })
  reputationScore!: number;

  @Column({ name: 'completed_jobs', type: 'int', default: 0 })
  completedJobs!: number;

  /** Accepted jobs not yet finished: the "current load" that matching weighs. */
  @Column({ name: 'active_jobs', type: 'int', default: 0 })
  activeJobs!: number;

  @Column({ name: 'last_active_at', type: 'timestamptz', default: () => 'now()' })
  lastActiveAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

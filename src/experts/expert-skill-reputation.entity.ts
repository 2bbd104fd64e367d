import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { ExpertProfile } from './expert-profile.entity';
import { ReputationTallyColumns } from './reputation-tally.columns';

/**
 * An expert's record in one category (a skill): the tally of the jobs and ratings of requests in
 * that category, and its score (skillReputationScore). A row exists for every skill the profile
 * lists (the profile save creates it) and for every category the expert finished a job in.
 * Rows change only under the expert's profile row lock (src/experts/reputation.store.ts).
 * IDX_expert_skill_reputation_rank serves "experts with skill X by that skill's score".
 */
@Entity('expert_skill_reputation')
@Index('IDX_expert_skill_reputation_rank', ['skill', 'score', 'expertId'])
export class ExpertSkillReputation extends ReputationTallyColumns {
  @PrimaryColumn({ name: 'expert_id', type: 'uuid' })
  expertId!: string;

  /** A category slug. */
  @PrimaryColumn({ type: 'text' })
  skill!: string;

  @ManyToOne(() => ExpertProfile, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'expert_id', referencedColumnName: 'userId', foreignKeyConstraintName: 'FK_expert_skill_reputation_profile' })
  profile?: Relation<ExpertProfile>;

  /** 0..100: skillReputationScore(tally, the expert's overall score). */
  @Column({ type: 'smallint', default: 50 })
  score!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * A partner front-end (a white-label help site, a support portal) that drives the API with its
 * own keys and users. `revenue_share_bps` is its share of the platform fee on requests its users
 * post, fixed on each escrow when it is funded.
 */
@Entity('partners')
@Check('CHK_partners_revenue_share', `"revenue_share_bps" BETWEEN 0 AND 10000`)
export class Partner {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'revenue_share_bps', type: 'int', default: 0 })
  revenueShareBps!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

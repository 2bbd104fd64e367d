import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { HelpRequest } from '../requests/help-request.entity';
import { User } from '../users/user.entity';
import type { BidStatus } from './domain/bid-state';

/**
 * An expert's offer on a request. Two partial unique indexes back the row locks: one live
 * (active or accepted) bid per expert per request (C3), and one accepted bid per request (C1).
 */
@Entity('bids')
@Check('CHK_bids_status', `"status" IN ('active','accepted','withdrawn','rejected')`)
@Check('CHK_bids_amount', `"amount" BETWEEN 500 AND 1000000 AND "currency" IN ('usd','eur','gbp')`)
@Check('CHK_bids_eta', `"eta_minutes" BETWEEN 15 AND 43200`)
@Check('CHK_bids_warranty', `"warranty_days" BETWEEN 0 AND 30`)
@Index('UQ_bids_live_per_expert', ['requestId', 'expertId'], { unique: true, where: `"status" IN ('active','accepted')` })
@Index('UQ_bids_accepted_per_request', ['requestId'], { unique: true, where: `"status" = 'accepted'` })
@Index('IDX_bids_request_created', ['requestId', 'createdAt', 'id'])
@Index('IDX_bids_expert_created', ['expertId', 'createdAt', 'id'])
export class Bid {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @ManyToOne(() => HelpRequest, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'FK_bids_request' })
  request?: Relation<HelpRequest>;

  @Column({ name: 'expert_id', type: 'uuid' })
  expertId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'expert_id', foreignKeyConstraintName: 'FK_bids_expert' })
  expert?: Relation<User>;

  @Column({ type: 'int' })
  amount!: number;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'eta_minutes', type: 'int' })
  etaMinutes!: number;

  /** The fix warranty the expert offers (days; 0: none): part of the payout is held until it ends. */
  @Column({ name: 'warranty_days', type: 'int', default: 0 })
  warrantyDays!: number;

  @Column({ type: 'text' })
  message!: string;

  @Column({ type: 'text', default: 'active' })
  status!: BidStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

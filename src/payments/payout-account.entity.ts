import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { User } from '../users/user.entity';
import type { PayoutAccountStatus } from './domain/payout-account-status';

/**
 * An expert's Stripe Connect Express account (one per expert). `status` and `payouts_enabled`
 * follow `account.updated`; `stripe_updated_at` is the `created` time of the newest event applied,
 * so an older event delivered late cannot move the row backwards (W3).
 */
@Entity('payout_accounts')
@Check('CHK_payout_accounts_status', `"status" IN ('pending','enabled','restricted')`)
@Index('UQ_payout_accounts_stripe_account', ['stripeAccountId'], { unique: true })
export class PayoutAccount {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_payout_accounts_user' })
  user?: Relation<User>;

  @Column({ name: 'stripe_account_id', type: 'text' })
  stripeAccountId!: string;

  @Column({ type: 'text', default: 'pending' })
  status!: PayoutAccountStatus;

  @Column({ name: 'payouts_enabled', type: 'boolean', default: false })
  payoutsEnabled!: boolean;

  @Column({ name: 'stripe_updated_at', type: 'timestamptz', nullable: true })
  stripeUpdatedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

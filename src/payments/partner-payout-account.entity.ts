import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { Partner } from '../partners/partner.entity';
import type { PayoutAccountStatus } from './domain/payout-account-status';

/**
 * A partner's Stripe Connect Express account (one per partner), where its revenue share is
 * transferred. The same columns and rules as an expert's payout_accounts row; a table of its own
 * because the owner is a partner, not a user (payout_accounts is keyed by, and cascades with, users).
 */
@Entity('partner_payout_accounts')
@Check('CHK_partner_payout_accounts_status', `"status" IN ('pending','enabled','restricted')`)
@Index('UQ_partner_payout_accounts_stripe_account', ['stripeAccountId'], { unique: true })
export class PartnerPayoutAccount {
  @PrimaryColumn({ name: 'partner_id', type: 'uuid' })
  partnerId!: string;

  @OneToOne(() => Partner, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'FK_partner_payout_accounts_partner' })
  partner?: Relation<Partner>;

  @Column({ name: 'stripe_account_id', type: 'text' })
  stripeAccountId!: string;

  @Column({ type: 'text', default: 'pending' })
  status!: PayoutAccountStatus;

  @Column({ name: 'payouts_enabled', type: 'boolean', default: false })
  payoutsEnabled!: boolean;

  /** The `created` time of the newest account.updated applied (W3), as for experts. */
  @Column({ name: 'stripe_updated_at', type: 'timestamptz', nullable: true })
  stripeUpdatedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

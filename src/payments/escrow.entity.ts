import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { Bid } from '../bids/bid.entity';
import { Partner } from '../partners/partner.entity';
import { HelpRequest } from '../requests/help-request.entity';
import { User } from '../users/user.entity';
import type { EscrowStatus, PayoutStatus } from './domain/escrow-rules';

/**
 * The money of one accepted bid, from `requires_payment` to released, refunded or cancelled.
 * CHECKs keep the arithmetic (fee + payout == amount, 0 ≤ refunded ≤ amount) and make "money
 * held without a charge" and "cancelled with a charge" unrepresentable (R5). One live escrow per
 * request (a lapsed payment window leaves a cancelled one behind and a new accept makes another).
 * A partner customer's escrow names the partner and its revenue share, fixed at funding; the
 * partner's payout has its own status and Transfer, as the expert's does (M3, M9).
 */
@Entity('escrows')
@Check('CHK_escrows_status', `"status" IN ('requires_payment','held','released','refunded','partially_refunded','cancelled')`)
@Check('CHK_escrows_payout_status', `"payout_status" IN ('none','pending','transferring','paid','reversed')`)
@Check('CHK_escrows_amount', `"amount" BETWEEN 500 AND 1000000 AND "currency" IN ('usd','eur','gbp')`)
@Check('CHK_escrows_fee_split', `"platform_fee" >= 0 AND "expert_payout" >= 0 AND "platform_fee" + "expert_payout" = "amount"`)
@Check('CHK_escrows_fee_bps', `"fee_bps" BETWEEN 0 AND 10000`)
@Check('CHK_escrows_refunded', `"refunded_amount" >= 0 AND "refunded_amount" <= "amount"`)
@Check(
  'CHK_escrows_held_parts',
  `"released_amount" >= 0 AND "chargeback_loss_held" >= 0 AND "unclaimed_amount" >= 0 AND "refunded_amount" + "released_amount" + "chargeback_loss_held" + "unclaimed_amount" <= "amount"`,
)
@Check('CHK_escrows_chargeback', `"chargeback_status" IS NULL OR ("chargeback_status" IN ('open','won','lost') AND "chargeback_amount" BETWEEN 1 AND "amount")`)
@Check('CHK_escrows_charge', `("status" IN ('requires_payment','cancelled')) = ("charge_id" IS NULL AND "funded_at" IS NULL)`)
@Check('CHK_escrows_paid', `"payout_status" <> 'paid' OR "transfer_id" IS NOT NULL`)
@Check('CHK_escrows_partner_payout_status', `"partner_payout_status" IN ('none','pending','transferring','paid','reversed')`)
@Check('CHK_escrows_partner_share', `"partner_share_bps" BETWEEN 0 AND 10000 AND ("partner_share_bps" = 0 OR "partner_id" IS NOT NULL)`)
@Check('CHK_escrows_partner_paid', `"partner_payout_status" <> 'paid' OR "partner_transfer_id" IS NOT NULL`)
@Check(
  'CHK_escrows_warranty',
  `"warranty_days" BETWEEN 0 AND 30 AND "warranty_holdback" >= 0 AND "warranty_refunded" >= 0 AND "warranty_lost" >= 0 AND "warranty_refund_failed" >= 0 AND "warranty_refunded" + "warranty_lost" + "warranty_refund_failed" <= "warranty_holdback"`,
)
@Check('CHK_escrows_warranty_status', `"warranty_status" IS NULL OR "warranty_status" IN ('held','released','disputed','refunded')`)
@Check('CHK_escrows_holdback_payout_status', `"holdback_payout_status" IN ('none','pending','transferring','paid','reversed')`)
@Check('CHK_escrows_holdback_paid', `"holdback_payout_status" <> 'paid' OR "holdback_transfer_id" IS NOT NULL`)
@Index('UQ_escrows_live_per_request', ['requestId'], { unique: true, where: `"status" IN ('requires_payment','held')` })
@Index('IDX_escrows_request_created', ['requestId', 'createdAt'])
@Index('UQ_escrows_payment_intent', ['paymentIntentId'], { unique: true })
@Index('UQ_escrows_charge', ['chargeId'], { unique: true })
@Index('IDX_escrows_expert_payout', ['expertId', 'payoutStatus'])
@Index('IDX_escrows_status', ['status', 'payoutStatus'])
@Index('IDX_escrows_partner_payout', ['partnerId', 'partnerPayoutStatus'], { where: `"partner_id" IS NOT NULL` })
// Reconciliation's sweep: the few escrows not final yet, by id (M4: never a scan of all of them).
@Index('IDX_escrows_unfinished', ['id'], {
  where: `"status" = 'requires_payment' OR "payout_status" IN ('transferring','reversed') OR "partner_payout_status" = 'transferring' OR "chargeback_status" = 'lost'`,
})
export class Escrow {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @ManyToOne(() => HelpRequest, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'FK_escrows_request' })
  request?: Relation<HelpRequest>;

  @Column({ name: 'bid_id', type: 'uuid' })
  bidId!: string;

  @ManyToOne(() => Bid, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'bid_id', foreignKeyConstraintName: 'FK_escrows_bid' })
  bid?: Relation<Bid>;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'FK_escrows_customer' })
  customer?: Relation<User>;

  @Column({ name: 'expert_id', type: 'uuid' })
  expertId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'expert_id', foreignKeyConstraintName: 'FK_escrows_expert' })
  expert?: Relation<User>;

  @Column({ type: 'int' })
  amount!: number;

  @Column({ type: 'text' })
  currency!: string;

  /** The fee rate at acceptance, so a split later charges the same rate on the released part. */
  @Column({ name: 'fee_bps', type: 'int' })
  feeBps!: number;

  @Column({ name: 'platform_fee', type: 'int' })
  platformFee!: number;

  @Column({ name: 'expert_payout', type: 'int' })
  expertPayout!: number;

  @Column({ name: 'refunded_amount', type: 'int', default: 0 })
  refundedAmount!: number;

  @Column({ type: 'text', default: 'requires_payment' })
  status!: EscrowStatus;

  @Column({ name: 'payout_status', type: 'text', default: 'none' })
  payoutStatus!: PayoutStatus;

  @Column({ name: 'payment_intent_id', type: 'text', nullable: true })
  paymentIntentId!: string | null;

  @Column({ name: 'client_secret', type: 'text', nullable: true })
  clientSecret!: string | null;

  /** Set when creating the PaymentIntent failed at Stripe: a repeated accept may then complete it. */
  @Column({ name: 'payment_intent_failed_at', type: 'timestamptz', nullable: true })
  paymentIntentFailedAt!: Date | null;

  @Column({ name: 'charge_id', type: 'text', nullable: true })
  chargeId!: string | null;

  @Column({ name: 'transfer_id', type: 'text', nullable: true })
  transferId!: string | null;

  /** The partner whose user is the customer, recorded at funding (null: not a partner's customer). */
  @Column({ name: 'partner_id', type: 'uuid', nullable: true })
  partnerId!: string | null;

  @ManyToOne(() => Partner, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'FK_escrows_partner' })
  partner?: Relation<Partner>;

  /** The partner's revenueShareBps when the escrow was funded: a later change does not touch it. */
  @Column({ name: 'partner_share_bps', type: 'int', default: 0 })
  partnerShareBps!: number;

  @Column({ name: 'partner_payout_status', type: 'text', default: 'none' })
  partnerPayoutStatus!: PayoutStatus;

  @Column({ name: 'partner_transfer_id', type: 'text', nullable: true })
  partnerTransferId!: string | null;

  /** A chargeback (charge.dispute.created) freezes release and refunds. */
  @Column({ type: 'boolean', default: false })
  frozen!: boolean;

  @Column({ name: 'release_reason', type: 'text', nullable: true })
  releaseReason!: string | null;

  /** What the release took out of escrow (fee and payouts); the held money is what is left (heldAmount). */
  @Column({ name: 'released_amount', type: 'int', default: 0 })
  releasedAmount!: number;

  /** When a pending payout may go: the security hold (PAYOUT_HOLD_HOURS) after the release. */
  @Column({ name: 'payout_available_at', type: 'timestamptz', nullable: true })
  payoutAvailableAt!: Date | null;

  /** The chargeback (Stripe dispute) on this escrow's charge: open, then won or lost. */
  @Column({ name: 'stripe_dispute_id', type: 'text', nullable: true })
  stripeDisputeId!: string | null;

  @Column({ name: 'chargeback_status', type: 'text', nullable: true })
  chargebackStatus!: 'open' | 'won' | 'lost' | null;

  @Column({ name: 'chargeback_amount', type: 'int', nullable: true })
  chargebackAmount!: number | null;

  /** What a lost chargeback cost in all, and the part of it taken from the held money. */
  @Column({ name: 'chargeback_loss', type: 'int', default: 0 })
  chargebackLoss!: number;

  @Column({ name: 'chargeback_loss_held', type: 'int', default: 0 })
  chargebackLossHeld!: number;

  /** When the expert's (partner's) payout was first decided: the age of its Stripe idempotency key. */
  @Column({ name: 'transfer_started_at', type: 'timestamptz', nullable: true })
  transferStartedAt!: Date | null;

  @Column({ name: 'partner_transfer_started_at', type: 'timestamptz', nullable: true })
  partnerTransferStartedAt!: Date | null;

  /** The accepted bid's fix warranty (days; 0: none), copied at accept. */
  @Column({ name: 'warranty_days', type: 'int', default: 0 })
  warrantyDays!: number;

  /** Held back from the expert's payout at release (warranty_held) until the warranty ends. */
  @Column({ name: 'warranty_holdback', type: 'int', default: 0 })
  warrantyHoldback!: number;

  /** Of the holdback: refunded to the customer (a warranty dispute), taken by a lost chargeback. */
  @Column({ name: 'warranty_refunded', type: 'int', default: 0 })
  warrantyRefunded!: number;

  @Column({ name: 'warranty_lost', type: 'int', default: 0 })
  warrantyLost!: number;

  /** Of the holdback: the customer's part a failed refund brought back, until an admin retries or writes it off. */
  @Column({ name: 'warranty_refund_failed', type: 'int', default: 0 })
  warrantyRefundFailed!: number;

  @Column({ name: 'warranty_status', type: 'text', nullable: true })
  warrantyStatus!: 'held' | 'released' | 'disputed' | 'refunded' | null;

  @Column({ name: 'warranty_ends_at', type: 'timestamptz', nullable: true })
  warrantyEndsAt!: Date | null;

  /** The holdback's own Transfer (transfer:holdback:<escrowId>, M3). */
  @Column({ name: 'holdback_payout_status', type: 'text', default: 'none' })
  holdbackPayoutStatus!: PayoutStatus;

  @Column({ name: 'holdback_transfer_id', type: 'text', nullable: true })
  holdbackTransferId!: string | null;

  @Column({ name: 'holdback_transfer_started_at', type: 'timestamptz', nullable: true })
  holdbackTransferStartedAt!: Date | null;

  /** Failed refunds given up: owed to the customer, no longer held (unclaimed_refunds). */
  @Column({ name: 'unclaimed_amount', type: 'int', default: 0 })
  unclaimedAmount!: number;

  @Column({ name: 'funded_at', type: 'timestamptz', nullable: true })
  fundedAt!: Date | null;

  @Column({ name: 'released_at', type: 'timestamptz', nullable: true })
  releasedAt!: Date | null;

  @Column({ name: 'refunded_at', type: 'timestamptz', nullable: true })
  refundedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

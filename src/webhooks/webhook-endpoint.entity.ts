import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { Partner } from '../partners/partner.entity';
import { User } from '../users/user.entity';

/**
 * Where a partner (or an admin) wants events POSTed. The signing secret is needed to sign, so it
 * is stored sealed (AES-GCM, W6), never hashed; after a rotation the previous one keeps signing
 * beside the new one until `previous_secret_expires_at` (24 h). An endpoint failing without a
 * break for 3 days is disabled and says why.
 */
@Entity('webhook_endpoints')
@Check('CHK_webhook_endpoints_owner', `("partner_id" IS NULL) <> ("admin_id" IS NULL)`)
@Check('CHK_webhook_endpoints_previous', `("previous_secret_sealed" IS NULL) = ("previous_secret_expires_at" IS NULL)`)
@Index('IDX_webhook_endpoints_partner', ['partnerId', 'createdAt'])
@Index('IDX_webhook_endpoints_admin', ['adminId', 'createdAt'])
export class WebhookEndpoint {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'partner_id', type: 'uuid', nullable: true })
  partnerId!: string | null;

  @ManyToOne(() => Partner, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'FK_webhook_endpoints_partner' })
  partner?: Relation<Partner>;

  /** An admin's endpoint receives every event. */
  @Column({ name: 'admin_id', type: 'uuid', nullable: true })
  adminId!: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'admin_id', foreignKeyConstraintName: 'FK_webhook_endpoints_admin' })
  admin?: Relation<User>;

  @Column({ type: 'text' })
  url!: string;

  /** `['*']` or event types. */
  @Column({ type: 'text', array: true })
  events!: string[];

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason!: string | null;

  @Column({ name: 'secret_sealed', type: 'text' })
  secretSealed!: string;

  @Column({ name: 'previous_secret_sealed', type: 'text', nullable: true })
  previousSecretSealed!: string | null;

  @Column({ name: 'previous_secret_expires_at', type: 'timestamptz', nullable: true })
  previousSecretExpiresAt!: Date | null;

  /** Since when every attempt failed (null while it answers 2xx). */
  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true })
  failingSince!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

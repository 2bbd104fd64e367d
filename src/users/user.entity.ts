import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { Role } from '../common/auth/principal';
import { Partner } from '../partners/partner.entity';

/**
 * A person on the marketplace. `email` is stored normalised (NFKC, lower case, ASCII only), so
 * the plain unique index is case-insensitive uniqueness; the CHECK keeps anyone from writing
 * a mixed-case address around the service.
 */
@Entity('users')
@Check('CHK_users_role', `"role" IN ('customer', 'expert', 'admin')`)
@Check('CHK_users_email_lower', `"email" = lower("email")`)
@Check('CHK_users_external_id', `"external_id" IS NULL OR "partner_id" IS NOT NULL`)
@Index('UQ_users_partner_external', ['partnerId', 'externalId'], { unique: true, where: `"external_id" IS NOT NULL` })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('UQ_users_email', { unique: true })
  @Column({ type: 'text' })
  email!: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  @Column({ type: 'text' })
  role!: Role;

  /** Null for users a partner created: they act through the partner's key and cannot log in. */
  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash!: string | null;

  @Column({ name: 'suspended_at', type: 'timestamptz', nullable: true })
  suspendedAt!: Date | null;

  /** The partner that owns this user; such a user acts only through that partner's key. */
  @Column({ name: 'partner_id', type: 'uuid', nullable: true })
  partnerId!: string | null;

  @ManyToOne(() => Partner, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'FK_users_partner' })
  partner?: Relation<Partner>;

  /** The partner's own id for this user, unique per partner: creating it again returns this user. */
  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

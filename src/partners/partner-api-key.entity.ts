import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { Partner } from './partner.entity';

/**
 * One API key of a partner (several for rotation). The key is `<prefix>_<id>_<secret>`; only the
 * SHA-256 of the secret is kept — a 256-bit random secret needs no slow hash (S6). `last_used_at`
 * is written at most once a minute per key, never on every request.
 */
@Entity('partner_api_keys')
@Index('IDX_partner_api_keys_partner', ['partnerId', 'createdAt'])
export class PartnerApiKey {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'partner_id', type: 'uuid' })
  partnerId!: string;

  @ManyToOne(() => Partner, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'FK_partner_api_keys_partner' })
  partner?: Relation<Partner>;

  /** `fxb_test` in sandbox mode, `fxb_live` otherwise: a key works only where it was made. */
  @Column({ type: 'text' })
  prefix!: string;

  @Column({ name: 'secret_sha256', type: 'bytea' })
  secretSha256!: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}

import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../users/user.entity';

/**
 * A client that logged in to an account (S7): login returns its opaque `deviceToken`, only the
 * SHA-256 of which is stored. Presenting it lets that client log in while the account's email is
 * under protection; its own failed attempts are counted here, apart from everyone else's.
 */
@Entity('login_devices')
export class LoginDevice {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('IDX_login_devices_user_id')
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_login_devices_user_id' })
  user?: User;

  /** Hex SHA-256 of the device token; the token itself is never stored. */
  @Index('UQ_login_devices_token_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  /** A year after the last login that used it. */
  @Index('IDX_login_devices_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'last_login_at', type: 'timestamptz' })
  lastLoginAt!: Date;

  /** Wrong passwords typed on this device: a backoff counter like a pair's. */
  @Column({ type: 'int', default: 0 })
  failures!: number;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  @Column({ name: 'refused_until', type: 'timestamptz', nullable: true })
  refusedUntil!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

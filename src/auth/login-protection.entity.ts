import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Login attempt counters (S3, L1, L2), shared by every server process: one row per email and one
 * per (email, address), whether or not an account has that email. Rows are claimed under a row
 * lock before the password is checked (LoginProtectionService); the rules are in
 * domain/login-protection.ts. A row past `forget_at` means no more than no row and is deleted.
 */
@Entity('login_protection')
@Check('CHK_login_protection_scope', `"scope" IN ('email', 'pair')`)
@Check('CHK_login_protection_failures', `"failures" >= 0`)
export class LoginProtection {
  /** SHA-256 of the scope and the normalised email (and address): no typed email is stored. */
  @PrimaryColumn({ type: 'text' })
  key!: string;

  /** The email row's key, on the email's own row and on each of its pairs: lifting a lockout (admin:create) finds them all. */
  @Index('IDX_login_protection_email_key')
  @Column({ name: 'email_key', type: 'text' })
  emailKey!: string;

  /** `email`: a window counter; `pair`: a backoff counter of one (email, address). */
  @Column({ type: 'text' })
  scope!: 'email' | 'pair';

  /** Attempts counted (claimed and not taken back by a success). */
  @Column({ type: 'int', default: 0 })
  failures!: number;

  /** email: when the current counting window began. */
  @Column({ name: 'window_started_at', type: 'timestamptz', nullable: true })
  windowStartedAt!: Date | null;

  /** pair: the last counted attempt; a quiet day forgets the count. */
  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  /** pair: refused until then; email: under protection (only known devices log in) until then. */
  @Column({ name: 'refused_until', type: 'timestamptz', nullable: true })
  refusedUntil!: Date | null;

  @Index('IDX_login_protection_forget_at')
  @Column({ name: 'forget_at', type: 'timestamptz' })
  forgetAt!: Date;
}

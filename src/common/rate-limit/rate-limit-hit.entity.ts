import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One rate-limit counter (a fixed window per throttler and caller), shared by every server
 * process (L1). Written only by PostgresThrottlerStorage's single upsert.
 */
@Entity('rate_limit_hits')
export class RateLimitHit {
  /** SHA-256 of `<throttler>:<tracker>`; trackers can hold user input (an email), so they are hashed. */
  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'int' })
  hits!: number;

  /** End of the current window. */
  @Index('IDX_rate_limit_hits_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** Set once the limit is exceeded: every request until then is refused and not counted. */
  @Column({ name: 'blocked_until', type: 'timestamptz', nullable: true })
  blockedUntil!: Date | null;
}

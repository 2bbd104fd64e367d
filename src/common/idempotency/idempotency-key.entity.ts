import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One Idempotency-Key of one caller (unique on principal + key). The row is also the lock: while
 * `responseStatus` is null the first request is still running, in this process or another.
 */
@Entity('idempotency_keys')
export class IdempotencyKeyRecord {
  /** `user:<id>`, `partner:<id>:user:<id>` or `anon:<ip>` (see callerKey). */
  @PrimaryColumn({ type: 'text' })
  principal!: string;

  @PrimaryColumn({ type: 'text' })
  key!: string;

  /** SHA-256 of method, path and canonical body (requestFingerprint). */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  /** Null while the first request is in flight. */
  @Column({ name: 'response_status', type: 'int', nullable: true })
  responseStatus!: number | null;

  /** The exact JSON text that was sent (text, not jsonb, so a replay is byte for byte); null for 204. */
  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody!: string | null;

  /** Fencing token of the current execution: only its owner may complete or release the row. */
  @Column({ name: 'lock_token', type: 'uuid', nullable: true })
  lockToken!: string | null;

  /** When the current execution started; an in-flight row older than the lease is abandoned. */
  @Column({ name: 'locked_at', type: 'timestamptz' })
  lockedAt!: Date;

  /** Start of the 24 h window; the lazy cleanup deletes by it. */
  @Index('IDX_idempotency_keys_created_at')
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

import { Column, CreateDateColumn, Entity, Generated, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The outbox: one row per state change, written in the transaction of the change. `position`
 * orders all events (cursor for GET /v1/events); `sequence` increases per request so a
 * receiver can order what arrives out of order. Partner webhooks are sent from here.
 */
@Entity('events')
@Index('UQ_events_sequence', ['requestId', 'sequence'], { unique: true })
@Index('IDX_events_customer', ['customerId', 'position'])
@Index('IDX_events_expert', ['expertId', 'position'])
@Index('IDX_events_undispatched', ['position'], { where: `"dispatched_at" IS NULL` })
@Index('IDX_events_created', ['createdAt'])
export class OutboxEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  position!: string;

  @Column({ type: 'uuid', unique: true })
  @Generated('uuid')
  id!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @Column({ type: 'int' })
  sequence!: number;

  /** The request's customer and the expert concerned (bidder or awarded): who may read it. */
  @Column({ name: 'customer_id', type: 'uuid' })
  customerId!: string;

  @Column({ name: 'expert_id', type: 'uuid', nullable: true })
  expertId!: string | null;

  /** The partner whose API key made the change (the audit trail of who acted), when one did. */
  @Column({ name: 'actor_partner_id', type: 'uuid', nullable: true })
  actorPartnerId!: string | null;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When the webhook dispatcher fanned this event out to the endpoints that want it (null: not yet). */
  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt!: Date | null;
}

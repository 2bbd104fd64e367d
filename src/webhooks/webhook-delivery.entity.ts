import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { WebhookEndpoint } from './webhook-endpoint.entity';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DELIVERY_AUDIENCES = ['customer', 'expert', 'admin'] as const;

/**
 * One event for one endpoint: the durable queue the senders work from (at least once). The body
 * is built at each attempt from the event row and `audience` (the endpoint owner's view), so a
 * retry sends the same event id with a fresh timestamp and signature (W5). A sender claims an
 * attempt with a lease: two processes never send one attempt, and a process that dies mid-send
 * loses nothing (the lease runs out, another sends it). Unique (endpoint, event): a repeated
 * fan-out adds nothing.
 */
@Entity('webhook_deliveries')
@Check('CHK_webhook_deliveries_status', `"status" IN ('pending','delivered','failed')`)
@Check('CHK_webhook_deliveries_audience', `"audience" IN ('customer','expert','admin')`)
@Index('UQ_webhook_deliveries_endpoint_event', ['endpointId', 'eventId'], { unique: true })
@Index('IDX_webhook_deliveries_due', ['nextAttemptAt'], { where: `"status" = 'pending'` })
@Index('IDX_webhook_deliveries_endpoint_created', ['endpointId', 'createdAt', 'id'])
export class WebhookDelivery {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'endpoint_id', type: 'uuid' })
  endpointId!: string;

  @ManyToOne(() => WebhookEndpoint, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id', foreignKeyConstraintName: 'FK_webhook_deliveries_endpoint' })
  endpoint?: Relation<WebhookEndpoint>;

  /** The event's id (events.id), or a ping's own id: what receivers dedupe by. */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  @Column({ type: 'text' })
  audience!: (typeof DELIVERY_AUDIENCES)[number];

  @Column({ type: 'text', default: 'pending' })
  status!: DeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  /** Set while a sender holds the attempt. */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: 'first_attempt_at', type: 'timestamptz', nullable: true })
  firstAttemptAt!: Date | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  @Column({ name: 'last_status_code', type: 'int', nullable: true })
  lastStatusCode!: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'last_duration_ms', type: 'int', nullable: true })
  lastDurationMs!: number | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * `received`: verified and stored, its job not done yet; `waiting`: about an object not linked to
 * ours yet (a refund or a chargeback on a charge whose funding we have not seen), applied when
 * funding links it; `applied`: its effect committed (in the same transaction as this status).
 */
export type StripeEventStatus = 'received' | 'waiting' | 'applied';

/**
 * Every Stripe event received, by its id (W2). The receiver stores the verified event and its job
 * in one transaction and answers (W4); the job re-reads the object from Stripe (W3) and applies
 * the effect in the transaction that marks the row applied, so an event is applied at most once
 * and a rolled-back attempt is retried. Rows from before v1.1 have no payload and are applied.
 */
@Entity('stripe_events')
@Check('CHK_stripe_events_status', `"status" IN ('received','waiting','applied')`)
@Index('IDX_stripe_events_waiting', ['linkId'], { where: `"status" = 'waiting'` })
@Index('IDX_stripe_events_pending', ['receivedAt'], { where: `"status" <> 'applied'` })
export class StripeEventRecord {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  type!: string;

  /** Stripe's `created` for the event. */
  @Column({ type: 'timestamptz' })
  created!: Date;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;

  @Column({ type: 'text', default: 'applied' })
  status!: StripeEventStatus;

  /** The event's `data.object` as received (its id and links; the job re-reads the rest from Stripe). */
  @Column({ type: 'jsonb', nullable: true })
  object!: Record<string, unknown> | null;

  /** While waiting: the charge or PaymentIntent id whose link it waits for. */
  @Column({ name: 'link_id', type: 'text', nullable: true })
  linkId!: string | null;

  @Column({ name: 'applied_at', type: 'timestamptz', nullable: true })
  appliedAt!: Date | null;
}

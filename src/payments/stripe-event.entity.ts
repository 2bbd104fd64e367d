import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Every Stripe event applied, by its id (W2): the row is inserted in the transaction of the
 * event's effect, so an event is applied at most once and a rolled-back attempt leaves no trace.
 */
@Entity('stripe_events')
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
}

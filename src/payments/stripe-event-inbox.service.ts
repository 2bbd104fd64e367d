import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { updatedRows } from '../database/hydrate';
import { withTransaction } from '../database/transaction';
import { JobsService } from '../jobs/jobs.service';
import { STRIPE_EVENT_JOB, StripeEventJob } from './payment-jobs';
import { EventView } from './stripe/stripe-objects';

/**
 * The Stripe events we received and have still to apply (W4): the receiver stores each verified
 * event with its job in one transaction and answers; the job applies it. An event about an object
 * not linked to ours yet waits (`waiting`, by the charge or PaymentIntent it names) until funding
 * links that object and hands it back to the job — it is never dropped.
 */
@Injectable()
export class StripeEventInbox {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly jobs: JobsService,
  ) {}

  /** Stores a verified event and its job; false when this event id was received before. */
  store(event: EventView): Promise<boolean> {
    return withTransaction(this.ds, async (em) => {
      const inserted = (await em.query(
        `INSERT INTO stripe_events (id, type, created, status, object) VALUES ($1, $2, to_timestamp($3), 'received', $4)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [event.id, event.type, event.created, JSON.stringify(event.object)],
      )) as Array<{ id: string }>;
      if (!inserted[0]) return false;
      await this.jobs.scheduleInTransaction(em, STRIPE_EVENT_JOB, { eventId: event.id } satisfies StripeEventJob, new Date(), `stripe-event:${event.id}`);
      return true;
    });
  }

  /**
   * Funding just linked a PaymentIntent and its charge to an escrow: the events that waited for
   * either go back to the job, in the caller's transaction (after it commits, they find the link).
   */
  async releaseWaiting(em: EntityManager, linkIds: ReadonlyArray<string | null | undefined>): Promise<number> {
    const ids = linkIds.filter((id): id is string => Boolean(id));
    if (ids.length === 0) return 0;
    const rows = updatedRows(
      await em.query(`UPDATE stripe_events SET status = 'received', link_id = NULL WHERE status = 'waiting' AND link_id = ANY($1::text[]) RETURNING id`, [ids]),
    );
    for (const { id } of rows) await this.jobs.scheduleInTransaction(em, STRIPE_EVENT_JOB, { eventId: String(id) } satisfies StripeEventJob, new Date(), `stripe-event:${String(id)}`);
    return rows.length;
  }
}

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EventType } from './event-types';
import { OutboxEvent } from './outbox-event.entity';

/**
 * Writes the outbox row for a state change, inside the caller's transaction. The request row's
 * `event_sequence` is bumped in the same statement, so sequences are gap-free and ordered per
 * request even when the caller did not lock the row (the UPDATE takes the row lock).
 */
@Injectable()
export class EventsService {
  async record(
    em: EntityManager,
    requestId: string,
    type: EventType,
    object: object,
    options: { expertId?: string | null } = {},
  ): Promise<OutboxEvent> {
    // TypeORM's postgres driver answers an UPDATE with [rows, rowCount], not rows.
    const [rows] = (await em.query(
      `UPDATE help_requests SET event_sequence = event_sequence + 1 WHERE id = $1 RETURNING event_sequence, customer_id`,
      [requestId],
    )) as [Array<{ event_sequence: number; customer_id: string }>, number];
    const [row] = rows;
    if (!row) throw new Error(`event ${type} for a missing request ${requestId}`);
    const event = em.getRepository(OutboxEvent).create({
      type,
      requestId,
      sequence: row.event_sequence,
      customerId: row.customer_id,
      expertId: options.expertId ?? null,
      payload: JSON.parse(JSON.stringify(object)) as Record<string, unknown>,
    });
    return em.getRepository(OutboxEvent).save(event);
  }
}

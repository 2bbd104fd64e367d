import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { noteLock } from '../database/locks';
import { updatedRows } from '../database/hydrate';
import { requestContext } from '../common/http/request-context';
import { EventType } from './event-types';

/** The channel a NOTIFY goes out on when events commit. */
export const EVENTS_CHANNEL = 'fixbid_events';

/** One event to record: its type, the object as it is now, and the expert it concerns (who may read it). */
export interface EventDraft {
  readonly type: EventType;
  readonly object: object;
  readonly expertId?: string | null;
}

/** Sequence numbers the caller already reserved on the request row (its own UPDATE bumped event_sequence). */
export interface ReservedSequences {
  readonly requestId: string;
  readonly customerId: string;
  /** The last sequence the caller's UPDATE returned; the drafts take the numbers up to it. */
  readonly lastSequence: number;
}

/**
 * Writes the outbox rows of a state change, inside the caller's transaction. Each request numbers
 * its events gap-free (`sequence`), by bumping `help_requests.event_sequence` — in the caller's own
 * UPDATE of the request when it makes one (`appendReserved`), else here (`record`), which also
 * takes the request's row lock, so numbers stay ordered even for a caller that did not lock it.
 */
@Injectable()
export class EventsService {
  /** Records one event (bump and insert: two statements). */
  async record(em: EntityManager, requestId: string, type: EventType, object: object, options: { expertId?: string | null } = {}): Promise<void> {
    await this.recordAll(em, requestId, [{ type, object, expertId: options.expertId ?? null }]);
  }

  /** Records events in order: one UPDATE reserves their numbers, one INSERT writes them all. */
  async recordAll(em: EntityManager, requestId: string, drafts: readonly EventDraft[]): Promise<void> {
    if (drafts.length === 0) return;
    noteLock(em, 'help_requests', [requestId]);
    const [row] = updatedRows(
      await em.query(`UPDATE help_requests SET event_sequence = event_sequence + $2 WHERE id = $1 RETURNING event_sequence, customer_id`, [
        requestId,
        drafts.length,
      ]),
    ) as Array<{ event_sequence: number; customer_id: string }>;
    if (!row) throw new Error(`events ${drafts.map((d) => d.type).join(', ')} for a missing request ${requestId}`);
    await this.appendReserved(em, { requestId, customerId: row.customer_id, lastSequence: row.event_sequence }, drafts);
  }

  /** Writes drafts whose sequence numbers the caller reserved (`lastSequence - n + 1 .. lastSequence`). */
  async appendReserved(em: EntityManager, reserved: ReservedSequences, drafts: readonly EventDraft[]): Promise<void> {
    if (drafts.length === 0) return;
    const first = reserved.lastSequence - drafts.length + 1;
    // The NOTIFY rides in the same statement: it reaches every process at commit (the webhook dispatcher wakes).
    await em.query(
      `WITH written AS (
         INSERT INTO events (type, request_id, sequence, customer_id, actor_partner_id, expert_id, payload)
         SELECT d.type, $1, d.sequence, $2, $7, d.expert_id, d.payload
           FROM unnest($3::text[], $4::int[], $5::uuid[], $6::jsonb[]) AS d(type, sequence, expert_id, payload)
         RETURNING 1
       )
       SELECT pg_notify('${EVENTS_CHANNEL}', '') FROM (SELECT count(*) FROM written) AS n`,
      [
        reserved.requestId,
        reserved.customerId,
        drafts.map((d) => d.type),
        drafts.map((_, i) => first + i),
        drafts.map((d) => d.expertId ?? null),
        drafts.map((d) => JSON.stringify(d.object)),
        // Who acted: the partner whose key made this request, if one did (the audit trail).
        requestContext().partnerId ?? null,
      ],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { CursorCodec } from '../common/pagination/cursor.codec';
import { Page, toPage } from '../common/pagination/keyset';
import { Audience, eventObjectFor } from './domain/event-audience';
import { partnerReadsEventSql } from './event-visibility';
import { EventResponse } from './dto/event.response';
import { ListEventsQuery } from './dto/list-events.query';

const SCOPE = 'events:position:asc';

interface EventRow {
  position: string;
  id: string;
  type: string;
  request_id: string;
  sequence: number;
  payload: Record<string, unknown>;
  created_at: Date;
  /** For a partner: whether the request's customer is its user (else the event is its expert's). */
  as_customer?: boolean;
}

/**
 * GET /v1/events: the caller's events, oldest first after the cursor (by the outbox's position),
 * filtered in SQL by the rules of domain/event-audience.ts and cut to the caller's view.
 */
@Injectable()
export class EventsFeedService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cursors: CursorCodec,
  ) {}

  async list(principal: Principal, query: ListEventsQuery): Promise<Page<EventResponse>> {
    const after = query.cursor === undefined ? '0' : this.cursors.decode(query.cursor, SCOPE).sort;
    const { where, params, audience } = this.scope(principal);
    const rows = (await this.ds.query(
      `SELECT e.position::text AS position, e.id, e.type, e.request_id, e.sequence, e.payload, e.created_at ${audience === 'partner' ? ', cu.partner_id = $1 AS as_customer' : ''}
         FROM events e ${audience === 'partner' ? 'JOIN users cu ON cu.id = e.customer_id' : ''}
        WHERE e.position > $${params.length + 1}::bigint AND (${where})
          AND ($${params.length + 2}::text IS NULL OR e.type = $${params.length + 2})
        ORDER BY e.position
        LIMIT $${params.length + 3}`,
      [...params, after, query.type ?? null, query.limit + 1],
    )) as EventRow[];
    const cursorOf = (position: string) => this.cursors.encode({ sort: position, id: position }, SCOPE);
    const page = toPage(rows, query.limit, (row) => toEvent(row, audience === 'partner' ? (row.as_customer ? 'customer' : 'expert') : audience), (row) => cursorOf(row.position));
    // A feed is polled: the last page still says where to resume (after its last event, or where the caller was).
    const last = rows.slice(0, query.limit).at(-1);
    return { ...page, nextCursor: page.nextCursor ?? (last ? cursorOf(last.position) : (query.cursor ?? null)) };
  }

  /** The caller's filter: who reads which event (mirrors readsEvent), and in whose view. */
  private scope(principal: Principal): { where: string; params: unknown[]; audience: Audience | 'partner' } {
    if (principal.role === 'partner') {
      // The events of its users: requests its customers posted (their view), and what concerns its experts (theirs).
      return { audience: 'partner', params: [principal.partnerId], where: partnerReadsEventSql('e', 'cu', '$1') };
    }
    switch (principal.role) {
      case 'admin':
        return { audience: 'admin', params: [], where: 'TRUE' };
      case 'customer':
        return { audience: 'customer', params: [principal.userId], where: `e.customer_id = $1 AND e.type NOT LIKE 'payout.%'` };
      case 'expert':
        return {
          audience: 'expert',
          params: [principal.userId],
          where: `e.expert_id = $1 OR (e.type LIKE 'request.%' AND EXISTS (SELECT 1 FROM bids b WHERE b.request_id = e.request_id AND b.expert_id = $1))`,
        };
    }
  }
}

/** The contract's event shape, with the object as `audience` sees it. */
export function toEvent(row: Pick<EventRow, 'id' | 'type' | 'request_id' | 'sequence' | 'payload' | 'created_at'>, audience: Audience): EventResponse {
  return {
    id: row.id,
    type: row.type,
    createdAt: row.created_at.toISOString(),
    requestId: row.request_id,
    sequence: row.sequence,
    data: { object: eventObjectFor(row.type, row.payload, audience) },
  };
}

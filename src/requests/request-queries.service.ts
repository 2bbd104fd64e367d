import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { DomainError, notFound } from '../common/errors/domain-error';
import { CursorCodec, CursorPosition } from '../common/pagination/cursor.codec';
import { Page, toPage } from '../common/pagination/keyset';
import { CategoriesService } from '../categories/categories.service';
import { namedStatement, queryPrepared } from '../database/prepared';
import { ListRequestsQuery } from './dto/list-requests.query';
import { RequestFields } from './dto/request.response';
import { HelpRequest } from './help-request.entity';
import { readAccess } from './request-rules';
import {
  BuiltQuery,
  requestDetailQuery,
  requestListQuery,
  RequestRow,
  requestSearchQuery,
  SearchPosition,
  SearchRow,
} from './request-reads.sql';
import { LockedRequest, RequestLifecycle } from './request-lifecycle.service';

export const requestNotFound = () => notFound('Request');

const NEWEST_FIRST = 'requests:createdAt:desc';
const SEP = '|';

/**
 * A ranked list's cursor sort key is "rank|horizon created_at|horizon id|first page's time"
 * (signed, so ours; cursors made before the word lists have no fourth part).
 */
function searchPosition(position: CursorPosition): SearchPosition {
  const parts = String(position.sort).split(SEP);
  if (parts.length !== 3 && parts.length !== 4) {
    throw new DomainError('invalid_cursor', 'The cursor is invalid; use the nextCursor of a previous page.', 'cursor');
  }
  return { rank: parts[0], id: position.id, horizon: { at: parts[1], id: parts[2] }, listsAt: parts[3] };
}

/** The response's fields of a row (the keyset keys stay behind). */
function withoutKeys(row: RequestRow): RequestFields {
  const { sortKey: _sortKey, horizonAt: _horizonAt, horizonId: _horizonId, listsAt: _listsAt, ...fields } = row as SearchRow;
  return fields;
}

/**
 * Reading requests with the caller's visibility (API1) applied in the query itself: customers
 * see their own, experts open ones (and any they bid on, by id), admins all.
 */
@Injectable()
export class RequestQueriesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cursors: CursorCodec,
    private readonly categories: CategoriesService,
    private readonly lifecycle: RequestLifecycle,
  ) {}

  /** GET /v1/requests: one prepared statement (plus the category check when filtering by one). */
  async list(principal: Principal, query: ListRequestsQuery): Promise<Page<RequestFields>> {
    if (query.category !== undefined) await this.categories.requireExisting(query.category, 'category');
    const filters = { status: query.status, category: query.category, minBudget: query.minBudget, currency: query.currency };
    if (query.q === undefined) {
      const after = query.cursor === undefined ? undefined : this.cursors.decode(query.cursor, NEWEST_FIRST);
      const built = requestListQuery(principal, filters, query.limit, after && { sort: String(after.sort), id: after.id });
      const rows = await this.run<RequestRow>('requests_list', built);
      return toPage(rows, query.limit, withoutKeys, (row) => this.cursors.encode({ sort: row.sortKey, id: row.id }, NEWEST_FIRST));
    }
    // Ranked: the cursor carries (rank, id) and the candidate set's horizon; its scope a digest
    // of q, since a rank means nothing for another query.
    const scope = `requests:newest-ranked:${createHash('sha256').update(query.q).digest('base64url').slice(0, 16)}`;
    const after = query.cursor === undefined ? undefined : searchPosition(this.cursors.decode(query.cursor, scope));
    const rows = await this.run<SearchRow>('requests_search', requestSearchQuery(principal, filters, query.q, query.limit, after));
    const horizon = after?.horizon ?? (rows[0] && { at: rows[0].horizonAt, id: rows[0].horizonId });
    return toPage(rows, query.limit, withoutKeys, (row) =>
      this.cursors.encode({ sort: [row.sortKey, horizon!.at, horizon!.id, row.listsAt].join(SEP), id: row.id }, scope),
    );
  }

  /** GET /v1/requests/:id: one prepared statement with the visibility rule (API1) in it. */
  async readVisible(principal: Principal, id: string): Promise<RequestFields> {
    const [row] = await this.run<RequestRow>('requests_detail', requestDetailQuery(principal, id));
    if (!row) throw requestNotFound();
    return withoutKeys(row);
  }

  private run<R extends RequestRow>(prefix: string, built: BuiltQuery): Promise<R[]> {
    return queryPrepared<R>(this.ds, namedStatement(prefix, built.text), built.values);
  }

  /** One request the caller may read, inside a transaction, locked through its lifecycle; anything else is the same 404. */
  async lockVisible(em: EntityManager, principal: Principal, id: string): Promise<LockedRequest> {
    const locked = await this.lifecycle.lock(em, id);
    if (!locked) throw requestNotFound();
    await this.requireVisible(em, principal, locked.request);
    return locked;
  }

  private async requireVisible(em: EntityManager, principal: Principal, request: HelpRequest): Promise<void> {
    const access = readAccess(request, principal);
    if (access === 'allowed') return;
    if (access === 'if_bid' && (await this.hasBid(em, request.id, principal.userId))) return;
    throw requestNotFound();
  }

  private async hasBid(em: EntityManager, requestId: string, expertId: string): Promise<boolean> {
    const rows: unknown[] = await em.query(`SELECT 1 FROM bids WHERE request_id = $1 AND expert_id = $2 LIMIT 1`, [requestId, expertId]);
    return rows.length > 0;
  }

}

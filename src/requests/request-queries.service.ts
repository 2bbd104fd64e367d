import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { notFound } from '../common/errors/domain-error';
import { CursorCodec } from '../common/pagination/cursor.codec';
import { Page } from '../common/pagination/keyset';
import { paginate } from '../common/pagination/paginate';
import { CategoriesService } from '../categories/categories.service';
import { ListRequestsQuery } from './dto/list-requests.query';
import { HelpRequest } from './help-request.entity';
import { readAccess } from './request-rules';
import { LockedRequest, RequestLifecycle } from './request-lifecycle.service';

const TSQUERY = `websearch_to_tsquery('english', :q)`;

export const requestNotFound = () => notFound('Request');

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

  async list(principal: Principal, query: ListRequestsQuery): Promise<Page<HelpRequest>> {
    if (query.category !== undefined) await this.categories.requireExisting(query.category, 'category');
    const qb = this.ds.getRepository(HelpRequest).createQueryBuilder('r');
    this.scopeTo(qb, principal);
    if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    if (query.category) qb.andWhere('r.category = :category', { category: query.category });
    if (query.minBudget !== undefined) qb.andWhere('r.maxBudgetAmount >= :minBudget', { minBudget: query.minBudget });
    if (query.currency) qb.andWhere('r.maxBudgetCurrency = :currency', { currency: query.currency });
    if (query.q === undefined) {
      return paginate(qb, this.cursors, {
        sort: 'r.createdAt',
        id: 'r.id',
        direction: 'DESC',
        limit: query.limit,
        cursor: query.cursor,
        scope: 'requests:createdAt:desc',
      });
    }
    // Ranked: the cursor keys are (rank, id); the scope carries a digest of q, since a rank
    // means nothing for another query.
    qb.andWhere(`r.search @@ ${TSQUERY}`, { q: query.q });
    const digest = createHash('sha256').update(query.q).digest('base64url').slice(0, 16);
    return paginate(qb, this.cursors, {
      sort: `ts_rank(r.search, ${TSQUERY})`,
      id: 'r.id',
      direction: 'DESC',
      limit: query.limit,
      cursor: query.cursor,
      scope: `requests:rank:${digest}`,
    });
  }

  /** One request if the caller may read it; anything else is the same 404 (ids cannot be probed). */
  async getVisible(principal: Principal, id: string): Promise<HelpRequest> {
    const request = await this.ds.getRepository(HelpRequest).findOneBy({ id });
    if (!request) throw requestNotFound();
    await this.requireVisible(this.ds.manager, principal, request);
    return request;
  }

  /** As getVisible, inside a transaction, with the row locked through the request's lifecycle. */
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

  private scopeTo(qb: SelectQueryBuilder<HelpRequest>, principal: Principal): void {
    if (principal.role === 'customer') qb.where('r.customerId = :me', { me: principal.userId });
    else if (principal.role === 'expert') qb.where(`r.status = 'open'`);
    else qb.where('TRUE');
  }
}

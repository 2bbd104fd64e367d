import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { CursorCodec } from '../common/pagination/cursor.codec';
import { Page } from '../common/pagination/keyset';
import { paginate } from '../common/pagination/paginate';
import { withTransaction } from '../database/transaction';
import { requestNotFound, RequestQueriesService } from '../requests/request-queries.service';
import { HoldbackService } from '../payments/holdback.service';
import { RequestLifecycle } from '../requests/request-lifecycle.service';
import { Dispute } from './dispute.entity';
import { DisputeOpeningService } from './dispute-opening.service';
import { ListDisputesQuery } from './dto/list-disputes.query';
import { OpenDisputeDto } from './dto/open-dispute.dto';

/** The customer's dispute and the admins' dispute queue. */
@Injectable()
export class DisputesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly queries: RequestQueriesService,
    private readonly opening: DisputeOpeningService,
    private readonly cursors: CursorCodec,
    private readonly holdbacks: HoldbackService,
    private readonly lifecycle: RequestLifecycle,
  ) {}

  /** in_progress or resolved → disputed, for the request's owner only (anyone else: 404). */
  async openByCustomer(customer: Principal, id: string, dto: OpenDisputeDto, now = new Date()): Promise<Dispute> {
    return withTransaction(this.ds, async (em) => {
      const locked = await this.queries.lockVisible(em, customer, id);
      if (locked.request.customerId !== customer.userId) throw requestNotFound();
      await this.opening.enforceQuota(em, customer.userId);
      // A reopened job: the holdback waits for the admin (in the lock order: the escrow before the
      // dispute) — once the state table allows the dispute at all, so a request that cannot be
      // disputed says so (request_not_disputable), not what its holdback is doing.
      if (locked.request.round > 1) {
        this.lifecycle.check(locked, { type: 'open_dispute' }, now);
        await this.holdbacks.dispute(em, id, now);
      }
      const { dispute } = await this.opening.openInTransaction(em, locked, {
        event: 'open_dispute',
        openedBy: 'customer',
        userId: customer.userId,
        reason: dto.reason,
        now,
      });
      return dispute;
    });
  }

  /** Oldest first, so the queue is worked in order; keyset on (created_at, id). */
  list(query: ListDisputesQuery): Promise<Page<Dispute>> {
    const qb = this.ds.getRepository(Dispute).createQueryBuilder('d');
    if (query.status) qb.where('d.status = :status', { status: query.status });
    return paginate(qb, this.cursors, {
      sort: 'd.createdAt',
      id: 'd.id',
      direction: 'ASC',
      limit: query.limit,
      cursor: query.cursor,
      scope: `disputes:createdAt:asc:${query.status ?? 'all'}`,
    });
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { notFound } from '../common/errors/domain-error';
import { CursorCodec } from '../common/pagination/cursor.codec';
import { Page } from '../common/pagination/keyset';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { paginate } from '../common/pagination/paginate';
import { withTransaction } from '../database/transaction';
import { EventsService } from '../events/events.service';
import { Bid } from '../bids/bid.entity';
import { HelpRequest } from '../requests/help-request.entity';
import { RequestLifecycle } from '../requests/request-lifecycle.service';
import { MessageResponse } from './dto/message.response';
import { Message } from './message.entity';

interface Conversation {
  request: HelpRequest;
  bidId: string;
  expertId: string;
}

/**
 * The conversation of a request's owner and its awarded expert (the expert of the accepted bid),
 * from acceptance on. Anyone else — admins included — gets the same 404 as for a missing request.
 */
@Injectable()
export class MessagesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cursors: CursorCodec,
    private readonly events: EventsService,
    private readonly lifecycle: RequestLifecycle,
  ) {}

  /** Oldest first. */
  async list(principal: Principal, requestId: string, query: PageQueryDto): Promise<Page<Message>> {
    const { bidId } = await this.conversation(this.ds.manager, principal, requestId, false);
    const qb = this.ds.getRepository(Message).createQueryBuilder('m').where('m.bidId = :bidId', { bidId });
    return paginate(qb, this.cursors, {
      sort: 'm.createdAt',
      id: 'm.id',
      direction: 'ASC',
      limit: query.limit,
      cursor: query.cursor,
      scope: `messages:${bidId}`,
    });
  }

  async post(principal: Principal, requestId: string, body: string): Promise<Message> {
    return withTransaction(this.ds, async (em) => {
      const { bidId, expertId } = await this.conversation(em, principal, requestId, true);
      // clock_timestamp() after the row lock, not now() (the transaction's start): posts are
      // serialised by the lock, so creation order is commit order and an oldest-first reader
      // paging meanwhile never steps past a message that commits later (P3).
      const inserted = await em
        .createQueryBuilder()
        .insert()
        .into(Message)
        .values({ requestId, bidId, senderId: principal.userId, body, createdAt: () => 'clock_timestamp()' })
        .returning(['id'])
        .execute();
      const { id } = (inserted.raw as Array<{ id: string }>)[0];
      const message = await em.getRepository(Message).findOneByOrFail({ id });
      await this.events.record(em, requestId, 'message.created', MessageResponse.from(message), { expertId });
      return message;
    });
  }

  /** Posting locks the request through its lifecycle (which knows the awarded expert); reading does not lock. */
  private async conversation(em: EntityManager, principal: Principal, requestId: string, lock: boolean): Promise<Conversation> {
    const found = lock ? await this.lifecycle.lock(em, requestId) : await this.unlocked(em, requestId);
    const request = found?.request;
    const expertId = found?.awardedExpertId;
    if (!request?.acceptedBidId || !expertId) throw notFound('Request');
    if (principal.userId !== request.customerId && principal.userId !== expertId) throw notFound('Request');
    return { request, bidId: request.acceptedBidId, expertId };
  }

  private async unlocked(em: EntityManager, requestId: string): Promise<{ request: HelpRequest; awardedExpertId: string | null } | null> {
    const request = await em.getRepository(HelpRequest).findOneBy({ id: requestId });
    const bid = request?.acceptedBidId ? await em.getRepository(Bid).findOne({ where: { id: request.acceptedBidId }, select: { id: true, expertId: true } }) : null;
    return request ? { request, awardedExpertId: bid?.expertId ?? null } : null;
  }
}

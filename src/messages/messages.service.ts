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

  private async conversation(em: EntityManager, principal: Principal, requestId: string, lock: boolean): Promise<Conversation> {
    const request = await em
      .getRepository(HelpRequest)
      .findOne({ where: { id: requestId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!request?.acceptedBidId) throw notFound('Request');
    const bid = await em.getRepository(Bid).findOneBy({ id: request.acceptedBidId });
    const isParty = principal.userId === request.customerId || principal.userId === bid?.expertId;
    if (!bid || !isParty) throw notFound('Request');
    return { request, bidId: bid.id, expertId: bid.expertId };
  }
}

import { EntityManager, In } from 'typeorm';
import { Bid } from '../bids/bid.entity';
import { applyBidEvent } from '../bids/domain/bid-state';
import { BidResponse } from '../bids/dto/bid.response';
import { EventsService } from '../events/events.service';
import { HelpRequest } from './help-request.entity';

/**
 * When a request leaves the market (cancelled, expired) every live bid — the accepted one too —
 * is rejected, each with its `bid.rejected` event for the expert. Call with the request row
 * locked, after the request's own event, inside its transaction. `statusBefore` is the status
 * the request had when the use case started (the bid table's guard reads it).
 */
export async function rejectLiveBids(
  em: EntityManager,
  events: EventsService,
  request: HelpRequest,
  statusBefore: HelpRequest['status'],
): Promise<Bid[]> {
  const bids = em.getRepository(Bid);
  const live = await bids.find({
    where: { requestId: request.id, status: In(['active', 'accepted']) },
    order: { createdAt: 'ASC', id: 'ASC' },
    lock: { mode: 'pessimistic_write' },
  });
  if (live.length === 0) return [];
  for (const bid of live) {
    const moved = applyBidEvent(bid.status, 'reject', { requestStatus: statusBefore });
    if (!moved.ok) throw new Error(`bid ${bid.id} cannot be rejected: ${moved.code}`);
  }
  const ids = live.map((b) => b.id);
  await bids.update({ id: In(ids) }, { status: 'rejected' });
  const rejected = await bids.find({ where: { id: In(ids) }, order: { createdAt: 'ASC', id: 'ASC' } });
  for (const bid of rejected) await events.record(em, request.id, 'bid.rejected', BidResponse.from(bid), { expertId: bid.expertId });
  return rejected;
}

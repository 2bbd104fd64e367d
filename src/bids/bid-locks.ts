import { EntityManager } from 'typeorm';
import { HelpRequest } from '../requests/help-request.entity';
import { Bid } from './bid.entity';
import { bidNotFound } from './bid-errors';

/**
 * Row locks in the one order every bid use case takes them — the request, then the bid, then
 * the expert's profile — so two transactions never wait on each other in a circle.
 */
export function lockRequest(em: EntityManager, id: string): Promise<HelpRequest | null> {
  return em.getRepository(HelpRequest).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
}

export interface LockedBid {
  request: HelpRequest;
  bid: Bid;
}

/** Whose bid it is to act on: the expert who placed it, or the customer who owns its request. */
export type BidActor = { expertId: string } | { customerId: string };

/**
 * Locks a bid and its request (request first). A bid the actor may not act on is 404 before any
 * lock is taken (A1): the bid's request, expert and the request's customer never change, so
 * checking them unlocked is safe, and a stranger cannot make anyone wait on a row lock.
 */
export async function lockBid(em: EntityManager, bidId: string, actor: BidActor): Promise<LockedBid> {
  const qb = em.getRepository(Bid).createQueryBuilder('b').select('b.requestId', 'requestId').where('b.id = :bidId', { bidId });
  if ('expertId' in actor) qb.andWhere('b.expertId = :expertId', { expertId: actor.expertId });
  else qb.innerJoin(HelpRequest, 'r', 'r.id = b.requestId AND r.customerId = :customerId', { customerId: actor.customerId });
  const found = await qb.getRawOne<{ requestId: string }>();
  if (!found) throw bidNotFound();
  const request = await lockRequest(em, found.requestId);
  const bid = await em.getRepository(Bid).findOne({ where: { id: bidId }, lock: { mode: 'pessimistic_write' } });
  if (!request || !bid) throw bidNotFound();
  return { request, bid };
}

/** The expert's last activity feeds matching; experts without a profile have nothing to touch. */
export async function touchExpert(em: EntityManager, expertId: string): Promise<void> {
  await em.query(`UPDATE expert_profiles SET last_active_at = now() WHERE user_id = $1`, [expertId]);
}

import { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { Escrow } from '../payments/escrow.entity';

/**
 * The request's held escrow, row-locked (after the request row: the payments lock order). A
 * request in progress, resolved or disputed always has one; its absence is a 409, not a 500.
 */
export async function lockHeldEscrow(em: EntityManager, requestId: string): Promise<Escrow> {
  const escrow = await em.getRepository(Escrow).findOne({ where: { requestId, status: 'held' }, lock: { mode: 'pessimistic_write' } });
  if (!escrow) throw new DomainError('escrow_not_held', 'The request has no held escrow.');
  return escrow;
}

/**
 * The escrow a dispute settles: the held one, else one refunded in full outside Fixbid (which
 * the admin can only close as a refund).
 */
export async function lockSettlableEscrow(em: EntityManager, requestId: string): Promise<Escrow> {
  const held = await em.getRepository(Escrow).findOne({ where: { requestId, status: 'held' }, lock: { mode: 'pessimistic_write' } });
  if (held) return held;
  const refunded = await em
    .getRepository(Escrow)
    .findOne({ where: { requestId, status: 'refunded' }, order: { createdAt: 'DESC' }, lock: { mode: 'pessimistic_write' } });
  if (!refunded) throw new DomainError('escrow_not_held', 'The request has no held escrow.');
  return refunded;
}

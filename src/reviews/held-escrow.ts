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

import { EntityManager } from 'typeorm';
import { HelpRequest } from '../requests/help-request.entity';
import { Escrow } from './escrow.entity';

/**
 * Lock order for money, the same as every request use case: the request row first, then its
 * escrow, then refund rows — so two transactions never wait on each other in a circle.
 */
export function lockRequestRow(em: EntityManager, id: string): Promise<HelpRequest | null> {
  return em.getRepository(HelpRequest).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
}

export function lockEscrowRow(em: EntityManager, id: string): Promise<Escrow | null> {
  return em.getRepository(Escrow).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
}

/** The request id of an escrow (it never changes), read without a lock to take the locks in order. */
export async function requestIdOfEscrow(em: EntityManager, escrowId: string): Promise<string | null> {
  const row = await em.getRepository(Escrow).findOne({ where: { id: escrowId }, select: { id: true, requestId: true } });
  return row?.requestId ?? null;
}

/** Locks the escrow's request, then the escrow. */
export async function lockEscrowWithRequest(em: EntityManager, escrowId: string): Promise<{ request: HelpRequest; escrow: Escrow } | null> {
  const requestId = await requestIdOfEscrow(em, escrowId);
  if (!requestId) return null;
  const request = await lockRequestRow(em, requestId);
  const escrow = await lockEscrowRow(em, escrowId);
  return request && escrow ? { request, escrow } : null;
}

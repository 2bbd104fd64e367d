import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { refusal } from '../common/errors/domain-error';
import { columnOf, hydrate, updatedRows } from '../database/hydrate';
import { holdsLock, lockRows, noteInserted } from '../database/locks';
import { LockedRequest, RequestLifecycle } from '../requests/request-lifecycle.service';
import { applyEscrowEvent, EscrowEvent } from './domain/escrow-state';
import { Escrow } from './escrow.entity';
import { LedgerService } from './ledger.service';

/**
 * The only writer of an escrow's status, payout status and freeze: takes the escrow's row lock,
 * applies the escrow state table, writes every column the move names and posts its ledger entries,
 * all in the caller's transaction (M5). A refused move throws its DomainError.
 */
@Injectable()
export class EscrowLifecycle {
  constructor(
    private readonly ledger: LedgerService,
    private readonly requests: RequestLifecycle,
  ) {}

  /** The escrow row locked (after the request's, when the use case holds that: the lock order). */
  async lock(em: EntityManager, escrowId: string): Promise<Escrow | null> {
    const [row] = await lockRows(em, 'escrows', 'id', [escrowId]);
    return row ? hydrate(em, Escrow, row) : null;
  }

  /** The escrow and its request, locked in the lock order (request first); null when either is missing. */
  async lockWithRequest(em: EntityManager, escrowId: string): Promise<{ locked: LockedRequest; escrow: Escrow } | null> {
    // The request of an escrow never changes: read it unlocked to take the locks in order.
    const [found] = (await em.query(`SELECT request_id FROM escrows WHERE id = $1`, [escrowId])) as Array<{ request_id: string }>;
    const locked = found ? await this.requests.lock(em, found.request_id) : null;
    const escrow = locked ? await this.lock(em, escrowId) : null;
    return locked && escrow ? { locked, escrow } : null;
  }

  /** The request's escrow in `status` (newest first), locked; null when there is none. */
  async lockOfRequest(em: EntityManager, requestId: string, statuses: readonly Escrow['status'][]): Promise<Escrow | null> {
    const rows = await lockRows(em, 'escrows', 'request_id', [requestId], { where: 'AND status = ANY($2::text[])', params: [statuses] });
    const newest = rows.map((row) => hydrate(em, Escrow, row)).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    return newest[0] ?? null;
  }

  /** A new escrow, requires_payment (in the accept transaction). */
  async create(em: EntityManager, values: Omit<Partial<Escrow>, 'status' | 'payoutStatus'>): Promise<Escrow> {
    const inserted = await em
      .createQueryBuilder()
      .insert()
      .into(Escrow)
      .values({ ...values, status: 'requires_payment', payoutStatus: 'none' })
      .returning('*')
      .execute();
    const escrow = hydrate(em, Escrow, (inserted.raw as Array<Record<string, unknown>>)[0]);
    noteInserted(em, 'escrows', escrow.id);
    return escrow;
  }

  /** Applies `event` to the locked escrow: one UPDATE of the named columns, one statement per posting. */
  async apply(em: EntityManager, escrow: Escrow, event: EscrowEvent, now = new Date()): Promise<Escrow> {
    if (!holdsLock(em, 'escrows', escrow.id)) throw new Error(`escrow ${escrow.id} moved without its row lock`);
    const result = applyEscrowEvent(escrow, event, { now });
    if (!result.ok) throw refusal(result);
    const changes = result.changes as Record<string, unknown>;
    const keys = Object.keys(changes);
    let after = escrow;
    if (keys.length) {
      const sets = keys.map((k, i) => `${columnOf(em, Escrow, k)} = $${i + 2}`);
      const [row] = updatedRows(
        await em.query(`UPDATE escrows SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING *`, [escrow.id, ...keys.map((k) => changes[k])]),
      );
      after = hydrate(em, Escrow, row);
    }
    for (const posting of result.postings) {
      await this.ledger.post(em, { ...posting, escrowId: escrow.id, requestId: escrow.requestId, currency: escrow.currency });
    }
    return after;
  }
}

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainError, notFound } from '../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import { heldAmount, releaseRefusal, releaseSplit, statusAfterRelease } from './domain/escrow-rules';
import { releaseLines } from './domain/ledger-postings';
import { escrowEventObject } from './dto/escrow.response';
import { lockEscrowRow } from './escrow-locks';
import { Escrow } from './escrow.entity';
import { LedgerService } from './ledger.service';
import { PayoutService } from './payout.service';

export interface ReleaseOptions {
  /** Why the money goes to the expert: 'review', 'auto_release', 'admin_release', 'admin_split'... */
  reason: string;
  now?: Date;
}

/**
 * Release: the held money leaves escrow — fee earned, the rest owed to the expert — and a payout
 * job is scheduled, all in the caller's transaction (the one completing the request: M5). The
 * Transfer happens after commit (PayoutService), never inside a transaction.
 */
@Injectable()
export class EscrowReleaseService {
  constructor(
    private readonly ledger: LedgerService,
    private readonly events: EventsService,
    private readonly payouts: PayoutService,
  ) {}

  /**
   * Releases everything still held (after a split refund, the rest, with the fee on that part
   * only). The caller holds the request's row lock. 409 escrow_not_held when there is nothing to
   * release (released already: C2 makes a second release impossible), escrow_frozen on a chargeback.
   */
  async releaseInTransaction(em: EntityManager, escrowId: string, options: ReleaseOptions): Promise<Escrow> {
    const escrow = await lockEscrowRow(em, escrowId);
    if (!escrow) throw notFound('Escrow');
    const refusal = releaseRefusal(escrow);
    if (refusal) throw new DomainError(refusal.code, refusal.message);
    const now = options.now ?? new Date();
    const released = heldAmount(escrow);
    const { platformFee, expertPayout } = releaseSplit(escrow);
    await em.getRepository(Escrow).update(escrow.id, {
      status: statusAfterRelease(escrow),
      releasedAt: now,
      releaseReason: options.reason,
      payoutStatus: expertPayout > 0 ? 'pending' : 'none',
    });
    if (released > 0) {
      await this.ledger.post(em, {
        kind: 'release',
        reference: `release:${escrow.id}`,
        escrowId: escrow.id,
        requestId: escrow.requestId,
        currency: escrow.currency,
        lines: releaseLines(released, platformFee, expertPayout),
      });
    }
    const after = await em.getRepository(Escrow).findOneByOrFail({ id: escrow.id });
    await this.events.record(em, escrow.requestId, 'escrow.released', escrowEventObject(after), { expertId: escrow.expertId });
    if (expertPayout > 0) await this.payouts.scheduleInTransaction(em, escrow.id);
    return after;
  }

  /** The same for the request's held escrow (the reviews and disputes use cases hold the request). */
  async releaseForRequestInTransaction(em: EntityManager, requestId: string, options: ReleaseOptions): Promise<Escrow> {
    const held = await em.getRepository(Escrow).findOne({ where: { requestId, status: 'held' }, select: { id: true } });
    if (!held) throw new DomainError('escrow_not_held', 'The request has no held escrow to release.');
    return this.releaseInTransaction(em, held.id, options);
  }
}

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { EventDraft } from '../events/events.service';
import { escrowEventObject } from './dto/escrow.response';
import { Escrow } from './escrow.entity';
import { EscrowLifecycle } from './escrow-lifecycle.service';
import { PayoutService } from './payout.service';

/**
 * The fix warranty's money (issue 10): the part of a released payout held while the warranty runs
 * (warranty_held). Released to the expert when the warranty ends or a reopened job is settled for
 * them — then paid by its own Transfer (`transfer:holdback:<escrowId>`, M3) — or disputed while a
 * reopened job waits for an admin. In the caller's transaction, the request locked first.
 */
@Injectable()
export class HoldbackService {
  constructor(
    private readonly escrows: EscrowLifecycle,
    private readonly payouts: PayoutService,
  ) {}

  /** The request's released escrow whose warranty is running (or disputed), locked. */
  async lockWarranty(em: EntityManager, requestId: string): Promise<Escrow> {
    const escrow = await this.escrows.lockOfRequest(em, requestId, ['released', 'partially_refunded']);
    if (!escrow || (escrow.warrantyStatus !== 'held' && escrow.warrantyStatus !== 'disputed')) {
      throw new DomainError('escrow_not_held', 'The request has no warranty holdback waiting for a decision.');
    }
    return escrow;
  }

  /**
   * The warranty is over for the expert: the holdback is owed, its payout job scheduled. `locked`:
   * the escrow when the caller holds it already (a dispute's settlement, after its refund).
   */
  async release(em: EntityManager, requestId: string, now: Date, locked?: Escrow): Promise<{ escrow: Escrow; notice: EventDraft }> {
    const escrow = await this.escrows.apply(em, locked ?? (await this.lockWarranty(em, requestId)), { type: 'warranty_released' }, now);
    if (escrow.holdbackPayoutStatus === 'pending') await this.payouts.scheduleInTransaction(em, escrow.id, 'holdback', now);
    return { escrow, notice: { type: 'warranty.released', object: escrowEventObject(escrow), expertId: escrow.expertId } };
  }

  /** A reopened job went to an admin: the holdback waits for the decision. */
  async dispute(em: EntityManager, requestId: string, now: Date): Promise<Escrow> {
    const escrow = await this.lockWarranty(em, requestId);
    return escrow.warrantyStatus === 'held' ? this.escrows.apply(em, escrow, { type: 'warranty_disputed' }, now) : escrow;
  }
}

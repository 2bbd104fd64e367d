import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainError, notFound } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EventDraft, EventsService } from '../events/events.service';
import { escrowEventObject } from './dto/escrow.response';
import { Escrow } from './escrow.entity';
import { EscrowLifecycle } from './escrow-lifecycle.service';
import { PayoutService } from './payout.service';

export interface ReleaseOptions {
  /** Why the money goes to the expert: 'review', 'auto_release', 'admin_release', 'admin_split'... */
  reason: string;
  now?: Date;
}

export interface Released {
  escrow: Escrow;
  /** The escrow.released event, for the caller to record with the request's move. */
  notice: EventDraft;
}

/**
 * Release: the held money leaves escrow — fee earned (less a partner's revenue share, owed to the
 * partner), the rest owed to the expert — and a payout job per payee is scheduled, all in the
 * caller's transaction (the one completing the request: M5). The Transfers happen after commit
 * (PayoutService), never inside a transaction.
 */
@Injectable()
export class EscrowReleaseService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly escrows: EscrowLifecycle,
    private readonly events: EventsService,
    private readonly payouts: PayoutService,
  ) {}

  /**
   * Releases everything still held (after a split refund, the rest, with the fee on that part
   * only). The caller holds the request's row lock. 409 escrow_not_held when there is nothing to
   * release (released already: C2 makes a second release impossible), escrow_frozen on a chargeback.
   */
  async release(em: EntityManager, escrowId: string, options: ReleaseOptions): Promise<Released> {
    const locked = await this.escrows.lock(em, escrowId);
    if (!locked) throw notFound('Escrow');
    const now = options.now ?? new Date();
    // The security hold (PAYOUT_HOLD_HOURS): a chargeback within it finds the money still here.
    const payoutAvailableAt = new Date(now.getTime() + this.config.payoutHoldHours * 3_600_000);
    // A bid with a warranty: WARRANTY_HOLDBACK_BPS of the payout stays held until it ends (HoldbackService).
    const escrow = await this.escrows.apply(em, locked, { type: 'release', reason: options.reason, payoutAvailableAt, holdbackBps: this.config.warrantyHoldbackBps }, now);
    if (escrow.payoutStatus === 'pending') await this.payouts.scheduleInTransaction(em, escrow.id, 'expert', payoutAvailableAt);
    // Only a partner customer's release owes a share: nothing more is written for anyone else's.
    if (escrow.partnerPayoutStatus === 'pending') await this.payouts.scheduleInTransaction(em, escrow.id, 'partner', payoutAvailableAt);
    return { escrow, notice: { type: 'escrow.released', object: escrowEventObject(escrow), expertId: escrow.expertId } };
  }

  /** The request's held escrow (the reviews and disputes use cases hold the request). */
  async releaseForRequest(em: EntityManager, requestId: string, options: ReleaseOptions): Promise<Released> {
    const held = await this.escrows.lockOfRequest(em, requestId, ['held']);
    if (!held) throw new DomainError('escrow_not_held', 'The request has no held escrow to release.');
    return this.release(em, held.id, options);
  }

  /** A release on its own (no request move goes with it): the event is recorded here. */
  async releaseInTransaction(em: EntityManager, escrowId: string, options: ReleaseOptions): Promise<Escrow> {
    const { escrow, notice } = await this.release(em, escrowId, options);
    await this.events.recordAll(em, escrow.requestId, [notice]);
    return escrow;
  }
}

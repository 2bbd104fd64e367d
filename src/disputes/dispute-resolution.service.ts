import { Inject, Injectable } from '@nestjs/common';
import { refusal } from '../bids/bid-errors';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { DomainError, notFound } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { withTransaction } from '../database/transaction';
import { EventsService } from '../events/events.service';
import { heldAmount, releaseSplit } from '../payments/domain/escrow-rules';
import { Escrow } from '../payments/escrow.entity';
import { EscrowService } from '../payments/escrow.service';
import { PayoutService } from '../payments/payout.service';
import { RefundService } from '../payments/refund.service';
import { applyRequestEvent } from '../requests/domain/request-state';
import { RequestResponse } from '../requests/dto/request.response';
import { HelpRequest } from '../requests/help-request.entity';
import { lockSettlableEscrow } from '../reviews/held-escrow';
import { awardedExpertId, lockRequest, recordJobOutcome } from '../reviews/request-parties';
import { Dispute } from './dispute.entity';
import { decideDispute, OUTCOME_EVENTS, Settlement } from './domain/dispute-rules';
import { DisputeResponse } from './dto/dispute.response';
import { ResolveDisputeDto } from './dto/resolve-dispute.dto';

/**
 * An admin settles a dispute: release (completed), refund (refunded) or split (completed with a
 * partial refund). One transaction: request row, escrow, dispute, in that lock order; the refund
 * decision (key `refund:<disputeId>`) and the release post to the ledger and schedule their jobs
 * with the state change (M5). Stripe's Refund and Transfer are made right after commit, and by
 * those jobs if that fails.
 */
@Injectable()
export class DisputeResolutionService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventsService,
    private readonly escrows: EscrowService,
    private readonly refunds: RefundService,
    private readonly payouts: PayoutService,
  ) {}

  async resolve(admin: Principal, disputeId: string, dto: ResolveDisputeDto, now = new Date()): Promise<Dispute> {
    let effects: MoneyEffects = NO_EFFECTS;
    const dispute = await withTransaction(this.ds, async (em) => {
      effects = NO_EFFECTS; // a retried transaction starts over
      const { request, dispute: locked, escrow } = await this.lockOpenDispute(em, disputeId);
      if (escrow.status === 'refunded' && dto.outcome !== 'refund') {
        throw new DomainError('escrow_not_held', 'The payment was already refunded in full: this dispute can only be closed as "refund".');
      }
      const release = releaseSplit(escrow);
      const facts = { amount: heldAmount(escrow), platformFee: release.platformFee, expertPayout: release.expertPayout, frozen: escrow.frozen };
      const decision = decideDispute(locked, facts, dto, escrow.feeBps);
      if (!decision.ok) throw new DomainError(decision.code, decision.message, decision.param);
      const moved = applyRequestEvent(request, { type: OUTCOME_EVENTS[dto.outcome] }, { now, settings: this.config });
      if (!moved.ok) throw refusal(moved);

      // Already refunded in full (outside Fixbid): closing it moves no money.
      if (escrow.status === 'held') effects = await this.moveMoney(em, escrow, decision.value, disputeId, now);
      const { outcome, refundAmount } = decision.value;
      await em.getRepository(HelpRequest).update(request.id, { status: moved.next.status, closedAt: now });
      await em.getRepository(Dispute).update(disputeId, {
        status: 'resolved',
        outcome,
        refundAmount: outcome === 'split' ? refundAmount : null,
        resolvedBy: admin.userId,
        resolvedAt: now,
      });
      const expertId = await awardedExpertId(em, request);
      if (expertId) await recordJobOutcome(em, expertId, { finished: outcome === 'refund' ? 'refunded' : 'completed' });
      const resolved = await em.getRepository(Dispute).findOneByOrFail({ id: disputeId });
      const after = await em.getRepository(HelpRequest).findOneByOrFail({ id: request.id });
      await this.events.record(em, request.id, 'dispute.resolved', DisputeResponse.from(resolved), { expertId });
      await this.events.record(em, request.id, 'request.updated', RequestResponse.from(after, this.config), { expertId });
      return resolved;
    });
    // The fast paths after commit (M5); the jobs scheduled in the transaction retry whatever fails here.
    if (effects.refundId) await this.refunds.refundAfterCommit(effects.refundId);
    if (effects.releasedEscrowId) await this.payouts.payAfterCommit(effects.releasedEscrowId);
    return dispute;
  }

  /** Locks in order — request, dispute, escrow — and refuses a missing or settled dispute. */
  private async lockOpenDispute(em: EntityManager, disputeId: string): Promise<{ request: HelpRequest; dispute: Dispute; escrow: Escrow }> {
    const found = await em.getRepository(Dispute).findOne({ where: { id: disputeId }, select: { id: true, requestId: true } });
    const request = found ? await lockRequest(em, found.requestId) : null;
    if (!found || !request) throw notFound('Dispute');
    const dispute = await em.getRepository(Dispute).findOneOrFail({ where: { id: disputeId }, lock: { mode: 'pessimistic_write' } });
    if (dispute.status !== 'open') throw new DomainError('dispute_not_open', 'The dispute is already resolved.');
    return { request, dispute, escrow: await lockSettlableEscrow(em, request.id) };
  }

  /** The refund decision (key `refund:<disputeId>`) first, then the release of what is left. */
  private async moveMoney(em: EntityManager, escrow: Escrow, settlement: Settlement, disputeId: string, now: Date): Promise<MoneyEffects> {
    let refundId: string | null = null;
    let releasedEscrowId: string | null = null;
    if (settlement.refundAmount > 0) {
      const reason = `dispute ${settlement.outcome}`;
      refundId = (await this.escrows.refundInTransaction(em, escrow.id, settlement.refundAmount, `refund:${disputeId}`, { reason, now })).refund.id;
    }
    if (settlement.outcome !== 'refund') {
      releasedEscrowId = (await this.escrows.releaseInTransaction(em, escrow.id, { reason: `admin_${settlement.outcome}`, now })).id;
    }
    return { refundId, releasedEscrowId };
  }
}

interface MoneyEffects {
  refundId: string | null;
  releasedEscrowId: string | null;
}

const NO_EFFECTS: MoneyEffects = { refundId: null, releasedEscrowId: null };

import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { DomainError, notFound } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { hydrate, updatedRows } from '../database/hydrate';
import { lockRows } from '../database/locks';
import { withTransaction } from '../database/transaction';
import { EventDraft } from '../events/events.service';
import { recordJobOutcome } from '../experts/expert-counters';
import { heldAmount, releaseSplit } from '../payments/domain/escrow-rules';
import { Escrow } from '../payments/escrow.entity';
import { EscrowLifecycle } from '../payments/escrow-lifecycle.service';
import { EscrowReleaseService } from '../payments/escrow-release.service';
import { PayoutService } from '../payments/payout.service';
import { RefundService } from '../payments/refund.service';
import { LockedRequest, RequestLifecycle } from '../requests/request-lifecycle.service';
import { Dispute } from './dispute.entity';
import { decideDispute, OUTCOME_EVENTS, Settlement } from './domain/dispute-rules';
import { DisputeResponse } from './dto/dispute.response';
import { ResolveDisputeDto } from './dto/resolve-dispute.dto';

/**
 * An admin settles a dispute: release (completed), refund (refunded) or split (completed with a
 * partial refund). One transaction: request row, escrow, dispute, in the lock order; the refund
 * decision (key `refund:<disputeId>`) and the release post to the ledger and schedule their jobs
 * with the state change (M5). Stripe's Refund and Transfer are made right after commit, and by
 * those jobs if that fails.
 */
@Injectable()
export class DisputeResolutionService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly lifecycle: RequestLifecycle,
    private readonly escrows: EscrowLifecycle,
    private readonly releases: EscrowReleaseService,
    private readonly refunds: RefundService,
    private readonly payouts: PayoutService,
  ) {}

  async resolve(admin: Principal, disputeId: string, dto: ResolveDisputeDto, now = new Date()): Promise<Dispute> {
    let effects: MoneyEffects = NO_EFFECTS;
    const dispute = await withTransaction(this.ds, async (em) => {
      effects = NO_EFFECTS; // a retried transaction starts over
      const { locked, dispute: open, escrow } = await this.lockOpenDispute(em, disputeId);
      if (escrow.status === 'refunded' && dto.outcome !== 'refund') {
        throw new DomainError('escrow_not_held', 'The payment was already refunded in full: this dispute can only be closed as "refund".');
      }
      const release = releaseSplit(escrow);
      const facts = { amount: heldAmount(escrow), platformFee: release.platformFee, expertPayout: release.expertPayout, frozen: escrow.frozen };
      const decision = decideDispute(open, facts, dto, escrow.feeBps);
      if (!decision.ok) throw new DomainError(decision.code, decision.message, decision.param);
      const event = { type: OUTCOME_EVENTS[dto.outcome] };
      this.lifecycle.check(locked, event, now);

      // Already refunded in full (outside Fixbid): closing it moves no money.
      const moved = escrow.status === 'held' ? await this.moveMoney(em, escrow, decision.value, disputeId, now) : { effects: NO_EFFECTS, notices: [] };
      effects = moved.effects;
      const { outcome, refundAmount } = decision.value;
      const [row] = updatedRows(
        await em.query(
          `UPDATE disputes SET status = 'resolved', outcome = $2, refund_amount = $3, resolved_by = $4, resolved_at = $5, updated_at = now() WHERE id = $1 RETURNING *`,
          [disputeId, outcome, outcome === 'split' ? refundAmount : null, admin.userId, now],
        ),
      );
      const resolved = hydrate(em, Dispute, row);
      await this.lifecycle.apply(em, locked, event, { now, events: [...moved.notices, { type: 'dispute.resolved', object: DisputeResponse.from(resolved) }] });
      if (locked.awardedExpertId) await recordJobOutcome(em, locked.awardedExpertId, { finished: outcome === 'refund' ? 'refunded' : 'completed' });
      return resolved;
    });
    // The fast paths after commit (M5); the jobs scheduled in the transaction retry whatever fails here.
    if (effects.refundId) await this.refunds.refundAfterCommit(effects.refundId);
    if (effects.releasedEscrowId) await this.payouts.payAfterCommit(effects.releasedEscrowId);
    return dispute;
  }

  /** Locks in the lock order — request, escrow (the held one, else one refunded outside Fixbid), dispute — and refuses a settled dispute. */
  private async lockOpenDispute(em: EntityManager, disputeId: string): Promise<{ locked: LockedRequest; dispute: Dispute; escrow: Escrow }> {
    const found = await em.getRepository(Dispute).findOne({ where: { id: disputeId }, select: { id: true, requestId: true, status: true } });
    const locked = found ? await this.lifecycle.lock(em, found.requestId) : null;
    if (!found || !locked) throw notFound('Dispute');
    // A settled dispute stays settled: refused before its escrow is looked at (checked again under its lock).
    if (found.status !== 'open') throw new DomainError('dispute_not_open', 'The dispute is already resolved.');
    const escrow = await this.escrows.lockOfRequest(em, locked.request.id, ['held', 'refunded']);
    if (!escrow) throw new DomainError('escrow_not_held', 'The request has no held escrow.');
    const [row] = await lockRows(em, 'disputes', 'id', [disputeId]);
    const dispute = hydrate(em, Dispute, row);
    if (dispute.status !== 'open') throw new DomainError('dispute_not_open', 'The dispute is already resolved.');
    return { locked, dispute, escrow };
  }

  /** The refund decision (key `refund:<disputeId>`) first, then the release of what is left. */
  private async moveMoney(em: EntityManager, escrow: Escrow, settlement: Settlement, disputeId: string, now: Date): Promise<{ effects: MoneyEffects; notices: EventDraft[] }> {
    const notices: EventDraft[] = [];
    let refundId: string | null = null;
    let releasedEscrowId: string | null = null;
    if (settlement.refundAmount > 0) {
      const reason = `dispute ${settlement.outcome}`;
      const decided = await this.refunds.refund(em, escrow.id, settlement.refundAmount, `refund:${disputeId}`, { reason, now });
      refundId = decided.refund.id;
      notices.push(decided.notice);
    }
    if (settlement.outcome !== 'refund') {
      const released = await this.releases.release(em, escrow.id, { reason: `admin_${settlement.outcome}`, now });
      releasedEscrowId = released.escrow.id;
      notices.push(released.notice);
    }
    return { effects: { refundId, releasedEscrowId }, notices };
  }
}

interface MoneyEffects {
  refundId: string | null;
  releasedEscrowId: string | null;
}

const NO_EFFECTS: MoneyEffects = { refundId: null, releasedEscrowId: null };

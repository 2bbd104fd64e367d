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
import { EventDraft, EventsService } from '../events/events.service';
import { disputeLossShare } from '../experts/domain/reputation';
import { recordJobOutcome } from '../experts/expert-counters';
import { heldAmount, releaseSplit } from '../payments/domain/escrow-rules';
import { Escrow } from '../payments/escrow.entity';
import { EscrowLifecycle } from '../payments/escrow-lifecycle.service';
import { EscrowRefund } from '../payments/escrow-refund.entity';
import { LedgerService } from '../payments/ledger.service';
import { EscrowReleaseService } from '../payments/escrow-release.service';
import { HoldbackService } from '../payments/holdback.service';
import { holdbackRemaining } from '../payments/domain/escrow-state';
import { PayoutService } from '../payments/payout.service';
import { RefundService } from '../payments/refund.service';
import { LockedRequest, RequestLifecycle } from '../requests/request-lifecycle.service';
import { Dispute } from './dispute.entity';
import { DebtSettlement, decideDispute, MoneySettlement, OUTCOME_EVENTS, settlesHeldMoney } from './domain/dispute-rules';
import { DisputeResponse } from './dto/dispute.response';
import { ResolveDisputeDto } from './dto/resolve-dispute.dto';

/**
 * An admin settles a dispute, as its kind allows (contract §3): customer, chargeback (once Stripe
 * decided it and money is left) and warranty by release (completed), refund (refunded) or split
 * (completed with a partial refund); post_payout_chargeback by recovered or write_off of what the
 * payees still owe; refund_failed by retry_refund (a new key) or write_off (owed to the customer).
 * One transaction: request row, escrow, dispute, in the lock order; the refund decision (key
 * `refund:<disputeId>`) and the release post to the ledger and schedule their jobs with the state
 * change (M5). Stripe's Refund and Transfer are made right after commit, and by those jobs if that
 * fails. Anything while the charge's chargeback is open → 409 chargeback_open.
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
    private readonly ledger: LedgerService,
    private readonly events: EventsService,
    private readonly holdbacks: HoldbackService,
  ) {}

  async resolve(admin: Principal, disputeId: string, dto: ResolveDisputeDto, now = new Date()): Promise<Dispute> {
    let effects: MoneyEffects = NO_EFFECTS;
    const dispute = await withTransaction(this.ds, async (em) => {
      effects = NO_EFFECTS; // a retried transaction starts over
      const { locked, dispute: open, escrow } = await this.lockOpenDispute(em, disputeId);
      const warranty = open.kind === 'warranty';
      const release = releaseSplit(escrow);
      // A warranty dispute divides the holdback only, with no fee on it (the fee was taken at the release).
      const remaining = holdbackRemaining(escrow);
      const facts = {
        amount: warranty ? remaining : heldAmount(escrow),
        platformFee: warranty ? 0 : release.platformFee,
        expertPayout: warranty ? remaining : release.expertPayout,
        chargebackStatus: escrow.chargebackStatus,
        owed: await this.owed(em, open, escrow),
      };
      const decision = decideDispute(open, facts, dto, warranty ? 0 : escrow.feeBps);
      if (!decision.ok) throw new DomainError(decision.code, decision.message, decision.param);
      const settlement = decision.value;
      const event = settlesHeldMoney(settlement) ? { type: OUTCOME_EVENTS[settlement.outcome] } : null;
      if (event) this.lifecycle.check(locked, event, now);

      const moved = !settlesHeldMoney(settlement)
        ? await this.settleDebt(em, open, escrow, settlement, now)
        : warranty
          ? await this.settleHoldback(em, escrow, settlement, disputeId, now)
          : await this.moveMoney(em, escrow, settlement, disputeId, now);
      effects = moved.effects;
      const recorded = settlesHeldMoney(settlement) ? (settlement.outcome === 'split' ? settlement.refundAmount : null) : settlement.amount;
      const [row] = updatedRows(
        await em.query(
          `UPDATE disputes SET status = 'resolved', outcome = $2, refund_amount = $3, resolved_by = $4, resolved_at = $5, updated_at = now() WHERE id = $1 RETURNING *`,
          [disputeId, settlement.outcome, recorded, admin.userId, now],
        ),
      );
      const resolved = hydrate(em, Dispute, row);
      const notices: EventDraft[] = [...moved.notices, { type: 'dispute.resolved', object: DisputeResponse.from(resolved) }];
      if (event) {
        await this.lifecycle.apply(em, locked, event, { now, events: notices });
        if (locked.awardedExpertId) {
          const refundedShare = disputeLossShare({ kind: open.kind, outcome: settlement.outcome, refundAmount: settlesHeldMoney(settlement) ? settlement.refundAmount : 0, amount: escrow.amount });
          // A warranty dispute settles a job counted when it was first completed: its loss counts, not a second job.
          const finished = warranty ? undefined : settlement.outcome === 'refund' ? 'refunded' : 'completed';
          await recordJobOutcome(em, locked.awardedExpertId, locked.request, { finished, refundedShare }, now);
        }
      } else {
        await this.events.recordAll(em, resolved.requestId, notices);
      }
      return resolved;
    });
    // The fast paths after commit (M5); the jobs scheduled in the transaction retry whatever fails here.
    if (effects.refundId) await this.refunds.refundAfterCommit(effects.refundId);
    if (effects.releasedEscrowId) await this.payouts.payAfterCommit(effects.releasedEscrowId);
    if (effects.holdbackEscrowId) await this.payouts.payHoldbackAfterCommit(effects.holdbackEscrowId);
    return dispute;
  }

  /**
   * Locks in the lock order — request, escrow (the dispute's own, else the request's held one or
   * one refunded outside Fixbid), dispute — and refuses a settled dispute.
   */
  private async lockOpenDispute(em: EntityManager, disputeId: string): Promise<{ locked: LockedRequest; dispute: Dispute; escrow: Escrow }> {
    const found = await em.getRepository(Dispute).findOne({ where: { id: disputeId }, select: { id: true, requestId: true, status: true, escrowId: true, kind: true } });
    const locked = found ? await this.lifecycle.lock(em, found.requestId) : null;
    if (!found || !locked) throw notFound('Dispute');
    // A settled dispute stays settled: refused before its escrow is looked at (checked again under its lock).
    if (found.status !== 'open') throw new DomainError('dispute_not_open', 'The dispute is already resolved.');
    // A warranty dispute is over the holdback of the released escrow.
    const statuses: Escrow['status'][] = found.kind === 'warranty' ? ['released', 'partially_refunded'] : ['held', 'refunded'];
    const escrow = found.escrowId ? await this.escrows.lock(em, found.escrowId) : await this.escrows.lockOfRequest(em, locked.request.id, statuses);
    if (!escrow) throw new DomainError('escrow_not_held', 'The request has no held escrow.');
    const [row] = await lockRows(em, 'disputes', 'id', [disputeId]);
    const dispute = hydrate(em, Dispute, row);
    if (dispute.status !== 'open') throw new DomainError('dispute_not_open', 'The dispute is already resolved.');
    return { locked, dispute, escrow };
  }

  /** What a money-only dispute settles: the payees' debt after a chargeback, or the failed refund's amount. */
  private async owed(em: EntityManager, dispute: Dispute, escrow: Escrow): Promise<number | undefined> {
    if (dispute.kind === 'post_payout_chargeback') {
      return -((await this.ledger.escrowBalance(em, escrow.id, 'expert_receivable')) + (await this.ledger.escrowBalance(em, escrow.id, 'partner_receivable')));
    }
    if (dispute.kind === 'refund_failed' && dispute.reference) {
      const refund = await this.failedRefund(em, dispute);
      return refund?.amount;
    }
    return undefined;
  }

  private failedRefund(em: EntityManager, dispute: Dispute): Promise<EscrowRefund | null> {
    return dispute.reference ? em.getRepository(EscrowRefund).findOne({ where: { id: dispute.reference }, select: { id: true, amount: true, fromHoldback: true } }) : Promise.resolve(null);
  }

  /** The refund decision (key `refund:<disputeId>`) first, then the release of what is left. */
  private async moveMoney(em: EntityManager, escrow: Escrow, settlement: MoneySettlement, disputeId: string, now: Date): Promise<{ effects: MoneyEffects; notices: EventDraft[] }> {
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

  /** A warranty dispute: the refund from the holdback (key `refund:<disputeId>`) first, then the rest of it to the expert. */
  private async settleHoldback(em: EntityManager, escrow: Escrow, settlement: MoneySettlement, disputeId: string, now: Date): Promise<{ effects: MoneyEffects; notices: EventDraft[] }> {
    const notices: EventDraft[] = [];
    let refundId: string | null = null;
    let holdbackEscrowId: string | null = null;
    let current = escrow;
    if (settlement.refundAmount > 0) {
      const decided = await this.refunds.refund(em, escrow.id, settlement.refundAmount, `refund:${disputeId}`, { reason: `warranty ${settlement.outcome}`, now, fromHoldback: true });
      refundId = decided.refund.id;
      current = decided.escrow;
      notices.push(decided.notice);
    }
    if (settlement.outcome !== 'refund') {
      const released = await this.holdbacks.release(em, escrow.requestId, now, current);
      holdbackEscrowId = released.escrow.id;
      notices.push(released.notice);
    }
    return { effects: { ...NO_EFFECTS, refundId, holdbackEscrowId }, notices };
  }

  /**
   * post_payout_chargeback: what each payee still owes is recovered (repaid outside Stripe) or
   * written off by the platform. refund_failed: the money is refunded again under a new key, or
   * written off as owed to the customer (unclaimed_refunds). Nothing here moves the request.
   */
  private async settleDebt(em: EntityManager, dispute: Dispute, escrow: Escrow, settlement: DebtSettlement, now: Date): Promise<{ effects: MoneyEffects; notices: EventDraft[] }> {
    if (dispute.kind === 'refund_failed') {
      if (settlement.amount <= 0) throw new DomainError('escrow_not_held', 'The failed refund is not held any more.');
      // A refund of a warranty holdback came back to the holdback: retried or written off from there.
      const fromHoldback = (await this.failedRefund(em, dispute))?.fromHoldback ?? false;
      if (settlement.outcome === 'retry_refund') {
        const refund = await this.refunds.retryFailed(em, escrow.id, settlement.amount, `refund:${dispute.id}`, now, fromHoldback);
        return { effects: { ...NO_EFFECTS, refundId: refund.id }, notices: [] };
      }
      await this.refunds.writeOffFailed(em, escrow.id, settlement.amount, `write_off:${dispute.id}`, now, fromHoldback);
      return { effects: NO_EFFECTS, notices: [] };
    }
    const how = settlement.outcome === 'recovered' ? 'recovered' : 'write_off';
    let locked: Escrow = escrow;
    for (const payee of ['expert', 'partner'] as const) {
      const owed = -(await this.ledger.escrowBalance(em, escrow.id, payee === 'expert' ? 'expert_receivable' : 'partner_receivable'));
      if (owed <= 0) continue;
      locked = await this.escrows.apply(em, locked, { type: 'receivable_settled', payee, amount: owed, how, reference: `${how}:${dispute.id}:${payee}` }, now);
    }
    return { effects: NO_EFFECTS, notices: [] };
  }
}

interface MoneyEffects {
  refundId: string | null;
  releasedEscrowId: string | null;
  holdbackEscrowId?: string | null;
}

const NO_EFFECTS: MoneyEffects = { refundId: null, releasedEscrowId: null, holdbackEscrowId: null };

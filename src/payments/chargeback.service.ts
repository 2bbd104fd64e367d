import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { withTransaction } from '../database/transaction';
import { DisputeOpeningService } from '../disputes/dispute-opening.service';
import { DisputeResponse } from '../disputes/dto/dispute.response';
import { EventDraft, EventsService } from '../events/events.service';
import { JobsService } from '../jobs/jobs.service';
import { LockedRequest, RequestLifecycle } from '../requests/request-lifecycle.service';
import { reversalAmount, ReleasedParts } from './domain/chargeback';
import { heldAmount, PayoutStatus } from './domain/escrow-rules';
import { Payee } from './domain/escrow-state';
import { escrowEventObject } from './dto/escrow.response';
import { Escrow } from './escrow.entity';
import { EscrowLifecycle } from './escrow-lifecycle.service';
import { LedgerService } from './ledger.service';
import { CHARGEBACK_REVERSAL_JOB, EscrowJob } from './payment-jobs';
import { PayoutService } from './payout.service';
import { StripeGateway } from './stripe/stripe.gateway';
import { DisputeView } from './stripe/stripe-objects';

/** Stripe's statuses that end a chargeback in our favour (an inquiry closed without a chargeback counts as won). */
const WON = ['won', 'warning_closed', 'prevented'];

export type ChargebackApplied = 'applied' | 'unlinked';

const EXPERT_ACCOUNT_SQL = `SELECT stripe_account_id AS "accountId" FROM payout_accounts WHERE user_id = $1`;

/**
 * What each reversal reads: the Transfer it takes back from, the receivable it pays down, the
 * Connect account it comes out of. The expert's debt is taken from their main Transfer, then from
 * their warranty holdback's (both went to the same account), in that order.
 */
const REVERSAL_PAYEES: Record<Payee, { transferId: (e: Escrow) => string | null; status: (e: Escrow) => PayoutStatus; receivable: 'expert_receivable' | 'partner_receivable'; accountSql: string; ownerId: (e: Escrow) => string | null }> = {
  expert: { transferId: (e) => e.transferId, status: (e) => e.payoutStatus, receivable: 'expert_receivable', accountSql: EXPERT_ACCOUNT_SQL, ownerId: (e) => e.expertId },
  holdback: { transferId: (e) => e.holdbackTransferId, status: (e) => e.holdbackPayoutStatus, receivable: 'expert_receivable', accountSql: EXPERT_ACCOUNT_SQL, ownerId: (e) => e.expertId },
  partner: {
    transferId: (e) => e.partnerTransferId,
    status: (e) => e.partnerPayoutStatus,
    receivable: 'partner_receivable',
    accountSql: `SELECT stripe_account_id AS "accountId" FROM partner_payout_accounts WHERE partner_id = $1`,
    ownerId: (e) => e.partnerId,
  },
};
const REVERSAL_ORDER: readonly Payee[] = ['expert', 'holdback', 'partner'];

/**
 * A chargeback's whole life (M6), from `charge.dispute.*` with the dispute re-read from Stripe:
 * - opened: the escrow freezes (no release, no refund, no payout starts: M8) and, while the money
 *   is still held, the request goes to `disputed` with a dispute of kind `chargeback` that only
 *   Stripe closes;
 * - won (or an inquiry's `warning_closed`): it thaws, the request goes back to the status it
 *   interrupted, a payout that waited resumes;
 * - lost: the disputed amount — possibly part of the charge — is booked as a chargeback loss, from
 *   the held money first, then from what the release gave (the expert's payout, the partner's
 *   share, the platform's fee, pro rata). Nothing held any more → the request is `refunded`; some
 *   left → its dispute stays open for an admin, as a customer's. Transfers already made (the
 *   expert's, their warranty holdback's, the partner's) are reversed as far as the connected
 *   balances allow (a job, idempotent by key), and what cannot be
 *   reversed stays owed in expert_receivable / partner_receivable with a `post_payout_chargeback`
 *   dispute for an admin.
 * Every step only moves forward, so duplicated, late and reordered events change nothing twice.
 */
@Injectable()
export class ChargebackService implements OnModuleInit {
  private readonly logger = new Logger(ChargebackService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly escrows: EscrowLifecycle,
    private readonly requests: RequestLifecycle,
    private readonly disputes: DisputeOpeningService,
    private readonly events: EventsService,
    private readonly ledger: LedgerService,
    private readonly jobs: JobsService,
    private readonly payouts: PayoutService,
    private readonly gateway: StripeGateway,
  ) {}

  onModuleInit(): void {
    this.jobs.register<EscrowJob>(CHARGEBACK_REVERSAL_JOB, async ({ escrowId }) => this.reverseTransfers(escrowId));
  }

  /** Applies the dispute as Stripe has it now, in the caller's transaction (the webhook job's). */
  async applyDispute(em: EntityManager, dispute: DisputeView, now = new Date()): Promise<ChargebackApplied> {
    const found = await this.escrowOf(em, dispute);
    const held = found ? await this.escrows.lockWithRequest(em, found) : null;
    if (!held) return 'unlinked';
    let { escrow, locked } = held;
    if (escrow.stripeDisputeId && escrow.stripeDisputeId !== dispute.id) {
      this.logger.error({ escrowId: escrow.id, dispute: dispute.id, known: escrow.stripeDisputeId }, 'a second chargeback on one charge; not applied');
      return 'applied';
    }
    // Opening may move the request (to disputed): a decision applied in the same step (the first
    // event we hear of comes after Stripe decided) must see the request as the opening left it.
    if (escrow.chargebackStatus === null) ({ escrow, locked } = await this.opened(em, locked, escrow, dispute, now));
    if (escrow.chargebackStatus !== 'open') return 'applied';
    if (WON.includes(dispute.status)) await this.won(em, locked, escrow, now);
    else if (dispute.status === 'lost') await this.lost(em, locked, escrow, now);
    return 'applied';
  }

  /**
   * The request of a frozen escrow that was just funded goes to `disputed`: funding calls this
   * when the chargeback arrived before the payment_intent.succeeded webhook.
   */
  async disputeFundedRequest(em: EntityManager, locked: LockedRequest, escrow: Escrow, now: Date): Promise<void> {
    if (escrow.chargebackStatus !== 'open') return;
    await this.disputeRequest(em, locked, escrow, now);
  }

  private async escrowOf(em: EntityManager, dispute: DisputeView): Promise<string | null> {
    // By charge, or by PaymentIntent when the chargeback arrives before our funding webhook did:
    // the freeze must not be lost, or the money could still be released.
    const [row] = (await em.query(`SELECT id FROM escrows WHERE charge_id = $1 OR ($2::text IS NOT NULL AND payment_intent_id = $2) ORDER BY created_at DESC LIMIT 1`, [
      dispute.chargeId,
      dispute.paymentIntentId,
    ])) as Array<{ id: string }>;
    return row?.id ?? null;
  }

  /** The escrow frozen, and the request as that left it (disputed when money was held). */
  private async opened(em: EntityManager, locked: LockedRequest, escrow: Escrow, dispute: DisputeView, now: Date): Promise<{ escrow: Escrow; locked: LockedRequest }> {
    const amount = Math.min(dispute.amount, escrow.amount);
    const frozen = await this.escrows.apply(em, escrow, { type: 'chargeback_opened', disputeId: dispute.id, amount }, now);
    const notice = this.notice('chargeback.opened', frozen);
    let after = locked;
    if (frozen.status === 'held') after = await this.disputeRequest(em, locked, frozen, now, [notice]);
    else await this.events.recordAll(em, frozen.requestId, [notice]);
    this.logger.warn({ requestId: frozen.requestId, escrowId: frozen.id, dispute: dispute.id, amount, status: frozen.status }, 'chargeback opened');
    return { escrow: frozen, locked: after };
  }

  /** Money still held: the request waits in `disputed` for Stripe's decision (already disputed by the customer: it stays so). Returns the request as it is after. */
  private async disputeRequest(em: EntityManager, locked: LockedRequest, escrow: Escrow, now: Date, events: EventDraft[] = []): Promise<LockedRequest> {
    const status = locked.request.status;
    if (status !== 'in_progress' && status !== 'resolved') {
      if (events.length) await this.events.recordAll(em, escrow.requestId, events);
      return locked;
    }
    const reason = `Chargeback opened by the customer's bank (Stripe dispute ${escrow.stripeDisputeId ?? 'unknown'}); Stripe decides it.`;
    const { request } = await this.disputes.openInTransaction(em, locked, {
      event: 'chargeback',
      openedBy: 'chargeback',
      kind: 'chargeback',
      escrowId: escrow.id,
      reference: escrow.stripeDisputeId,
      reason,
      now,
      events,
    });
    return { ...locked, request };
  }

  private async won(em: EntityManager, locked: LockedRequest, escrow: Escrow, now: Date): Promise<void> {
    const thawed = await this.escrows.apply(em, escrow, { type: 'chargeback_won' }, now);
    const notice = this.notice('chargeback.closed', thawed);
    const open = await this.disputes.lockOpenRequestDispute(em, thawed.requestId);
    if (open?.kind === 'chargeback' && locked.request.status === 'disputed') {
      const closed = await this.disputes.closeBySystem(em, open.id, 'chargeback_won', now);
      await this.requests.apply(em, locked, { type: 'chargeback_won' }, { now, events: [notice, { type: 'dispute.resolved', object: DisputeResponse.from(closed) }] });
    } else {
      await this.events.recordAll(em, thawed.requestId, [notice]);
    }
    await this.resumePayouts(em, thawed);
  }

  private async lost(em: EntityManager, locked: LockedRequest, escrow: Escrow, now: Date): Promise<void> {
    const released = await this.releasedParts(em, escrow);
    const after = await this.escrows.apply(em, escrow, { type: 'chargeback_lost', released }, now);
    const notice = this.notice('chargeback.closed', after);
    const open = await this.disputes.lockOpenRequestDispute(em, after.requestId);
    if (open && locked.request.status === 'disputed' && heldAmount(after) === 0) {
      // The bank took back everything that was held: nothing is left for an admin to settle.
      const closed = await this.disputes.closeBySystem(em, open.id, 'chargeback_lost', now);
      await this.requests.apply(em, locked, { type: 'chargeback_lost' }, { now, events: [notice, { type: 'dispute.resolved', object: DisputeResponse.from(closed) }] });
    } else {
      await this.events.recordAll(em, after.requestId, [notice]);
    }
    const owed = (await this.ledger.escrowBalance(em, after.id, 'expert_receivable')) + (await this.ledger.escrowBalance(em, after.id, 'partner_receivable'));
    if (owed < 0) await this.jobs.scheduleInTransaction(em, CHARGEBACK_REVERSAL_JOB, { escrowId: after.id }, now, `reversal:${after.id}`);
    await this.resumePayouts(em, after);
  }

  /**
   * What the release gave each party (the lost amount beyond the held money comes out of these).
   * The expert's part is their whole payout: what was owed at once and the warranty holdback
   * (the domain takes their share from a holdback still held first).
   */
  private async releasedParts(em: EntityManager, escrow: Escrow): Promise<ReleasedParts> {
    const lines = await this.ledger.postingLines(em, `release:${escrow.id}`);
    const sum = (account: string) => lines.filter((l) => l.account === account).reduce((total, l) => total + l.amount, 0);
    return { expertPayout: sum('expert_payable') + sum('warranty_held'), partnerShare: sum('partner_payable'), platformNet: sum('platform_revenue') };
  }

  /** A payout that waited for the decision goes now (from its hold's end): the ledger says how much is still owed — the expert's, the partner's, the holdback's. */
  private async resumePayouts(em: EntityManager, escrow: Escrow): Promise<void> {
    const from = escrow.payoutAvailableAt ?? new Date();
    if (escrow.payoutStatus === 'pending') await this.payouts.scheduleInTransaction(em, escrow.id, 'expert', from);
    if (escrow.partnerPayoutStatus === 'pending') await this.payouts.scheduleInTransaction(em, escrow.id, 'partner', from);
    // A warranty that ended while the escrow was frozen: its holdback's payout waited too.
    if (escrow.holdbackPayoutStatus === 'pending') await this.payouts.scheduleInTransaction(em, escrow.id, 'holdback', from);
  }

  /**
   * After a lost chargeback on money already paid out: take back from each Transfer what its payee
   * owes, as far as their connected balance allows — the expert's main Transfer, then their
   * holdback's, then the partner's; one reversal per Transfer (key `reversal:<payee>:<escrowId>`,
   * payee expert, holdback or partner, found again by listing that Transfer's reversals), each
   * posted in its own transaction — and leave the rest owed, with a post_payout_chargeback dispute
   * for an admin. Stripe is called outside any transaction (M5); a failure retries the job, which
   * picks up where it stopped: a reversal made but not posted is found by its key and posted once.
   */
  async reverseTransfers(escrowId: string, now = new Date()): Promise<void> {
    const escrow = await this.ds.getRepository(Escrow).findOneBy({ id: escrowId });
    if (!escrow || escrow.chargebackStatus !== 'lost') return;
    for (const payee of REVERSAL_ORDER) await this.reverseFor(escrow, payee, now);
    const owed = -((await this.ledger.escrowBalance(this.ds.manager, escrowId, 'expert_receivable')) + (await this.ledger.escrowBalance(this.ds.manager, escrowId, 'partner_receivable')));
    if (owed <= 0 || !escrow.stripeDisputeId) return;
    await withTransaction(this.ds, async (em) => {
      const reason = `A chargeback lost after the payout: ${owed} (minor units, ${escrow.currency}) could not be taken back from the connected accounts. Recover it, or write it off.`;
      await this.disputes.openDetached(em, { requestId: escrow.requestId, escrowId, kind: 'post_payout_chargeback', reference: escrow.stripeDisputeId as string, reason });
    });
  }

  private async reverseFor(escrow: Escrow, payee: Payee, now: Date): Promise<void> {
    const spec = REVERSAL_PAYEES[payee];
    const transferId = spec.transferId(escrow);
    const owed = -(await this.ledger.escrowBalance(this.ds.manager, escrow.id, spec.receivable));
    if (owed <= 0) return;
    if (!transferId) {
      // A Transfer decided but not recorded yet (transferring): wait for it, the job retries.
      if (spec.status(escrow) === 'transferring') throw new Error(`reversal ${escrow.id}: the ${payee}'s Transfer is not recorded yet`);
      return;
    }
    const key = `reversal:${payee}:${escrow.id}`;
    const earlier = (await this.gateway.listReversals(transferId)).filter((r) => r.metadata.reversalKey === key);
    let reversals = earlier;
    if (earlier.length === 0) {
      const ownerId = spec.ownerId(escrow);
      const [account] = ownerId ? ((await this.ds.query(spec.accountSql, [ownerId])) as Array<{ accountId: string }>) : [];
      const available = account ? await this.gateway.connectedBalance(account.accountId, escrow.currency) : 0;
      const transfer = await this.gateway.retrieveTransfer(transferId);
      const amount = Math.min(reversalAmount(owed, available), transfer.amount - transfer.amountReversed);
      if (amount > 0) reversals = [await this.gateway.createReversal({ transferId, amount, escrowId: escrow.id, payee, idempotencyKey: key })];
    }
    if (reversals.length === 0) return;
    await withTransaction(this.ds, async (em) => {
      let locked = await this.escrows.lock(em, escrow.id);
      for (const reversal of reversals) {
        if (!locked || (await this.ledger.isPosted(em, `reversal:${payee}:${escrow.id}:${reversal.id}`))) continue;
        locked = await this.escrows.apply(em, locked, { type: 'transfer_reversed', payee, reversalId: reversal.id, amount: reversal.amount }, now);
      }
    });
  }

  private notice(type: 'chargeback.opened' | 'chargeback.closed', escrow: Escrow): EventDraft {
    return { type, object: escrowEventObject(escrow), expertId: escrow.expertId };
  }
}

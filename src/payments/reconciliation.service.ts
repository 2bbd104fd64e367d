import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, IsNull, LessThanOrEqual, MoreThan, Or } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { JobsService } from '../jobs/jobs.service';
import { LedgerSide, reconcile, StripeSide, Violation } from './domain/reconciliation';
import { TransferPurpose, transferPurpose } from './domain/transfer-purpose';
import { Escrow } from './escrow.entity';
import { EscrowRefund } from './escrow-refund.entity';
import { EscrowService } from './escrow.service';
import { FundingService } from './funding.service';
import { LedgerTransaction } from './ledger-transaction.entity';
import { RECONCILE_JOB } from './payment-jobs';
import { PayoutService } from './payout.service';
import { ReconciliationRun } from './reconciliation-run.entity';
import { RefundService } from './refund.service';
import { StripeGateway } from './stripe/stripe.gateway';
import { PaymentIntentView, RefundView, ReversalView, TransferView } from './stripe/stripe-objects';

export interface ReconciliationResult {
  repaired: string[];
  violations: Violation[];
  /** True when another process was running reconciliation: this call did nothing. */
  skipped?: boolean;
  /** Stripe objects read by this run. */
  stripeObjects?: number;
}

/** Listing from the last watermark less this margin: objects written while the last run listed, and clock skew. */
const WATERMARK_MARGIN_MS = 15 * 60_000;
/** Unfinished escrows re-read per run (their PaymentIntents, their Transfers): the bounded sweep. */
export const SWEEP_LIMIT = 200;
/** A payout left `transferring` this long is an attempt that died; the sweep finishes it. */
const STALE_TRANSFERRING_MS = 5 * 60_000;
/** One advisory lock key for the whole cluster: runs never overlap (M4). */
const RECONCILE_LOCK = 0x7265636f6e63; // "reconc"

const PAYABLE: readonly string[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
/** The ledger kind that records each purpose's Transfer. */
const PAYOUT_KINDS: Partial<Record<string, TransferPurpose>> = { payout: 'expert', partner_payout: 'partner', holdback_payout: 'holdback' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Seen {
  paymentIntents: Map<string, PaymentIntentView>;
  transfers: Map<string, TransferView>;
  refunds: Map<string, RefundView>;
  reversals: Map<string, ReversalView & { escrowId: string }>;
  count: number;
}

/**
 * Repairs what a lost webhook or a crash after a Stripe call left behind, then compares Stripe
 * with the ledger (M4). Incremental: it lists only what Stripe created since the last run's
 * watermark (`created[gte]`, paged with starting_after), plus a bounded sweep of escrows that are
 * not final — awaiting payment, a payout in flight, or named by a violation — whose objects it
 * reads one by one; never all of Stripe. Runs never overlap (a cluster-wide advisory lock). Every
 * repair goes through the same idempotent paths as the live flow (same keys, same transitions).
 * Runs as a recurring job (once per tick across processes) and on demand: `run()`.
 */
@Injectable()
export class ReconciliationService implements OnModuleInit {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly gateway: StripeGateway,
    private readonly escrows: EscrowService,
    private readonly funding: FundingService,
    private readonly payouts: PayoutService,
    private readonly refunds: RefundService,
  ) {}

  onModuleInit(): void {
    this.jobs.register(RECONCILE_JOB, async () => void (await this.run()));
    if (this.config.stripe.reconcileIntervalSeconds) this.jobs.registerRecurring(RECONCILE_JOB, this.config.stripe.reconcileIntervalSeconds);
  }

  /** One run, unless another process is running one (then `skipped`). */
  async run(now = new Date()): Promise<ReconciliationResult> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock($1) AS locked`, [RECONCILE_LOCK])) as Array<{ locked: boolean }>;
      if (!locked) return { repaired: [], violations: [], skipped: true };
      try {
        return await this.runLocked(now);
      } finally {
        await runner.query(`SELECT pg_advisory_unlock($1)`, [RECONCILE_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  private async runLocked(startedAt: Date): Promise<ReconciliationResult> {
    const repaired: string[] = [];
    const failures: Violation[] = [];
    const attempt = async (label: string, escrowId: string, repair: () => Promise<boolean>) => {
      try {
        if (await repair()) repaired.push(`${label}:${escrowId}`);
      } catch (err) {
        failures.push({ code: 'repair_failed', message: `${label} of escrow ${escrowId} failed: ${(err as Error).message}`, escrowId });
      }
    };
    const last = await this.ds.getRepository(ReconciliationRun).findOne({ where: {}, order: { finishedAt: 'DESC' } });
    const since = last?.watermark ? new Date(last.watermark.getTime() - WATERMARK_MARGIN_MS) : null;
    const seen: Seen = { paymentIntents: new Map(), transfers: new Map(), refunds: new Map(), reversals: new Map(), count: 0 };

    await this.createMissingPaymentIntents(attempt);
    await this.listSince(since, seen);
    const { sweep, cursor } = await this.sweepSet(last, startedAt);
    await this.readSwept(sweep, seen);
    await this.syncPaymentIntents([...seen.paymentIntents.values()], attempt);
    await this.retryPayoutsAndRefunds(startedAt, attempt);
    const violations = [...failures, ...(await this.compare(seen, since, sweep))];
    await this.ds.getRepository(ReconciliationRun).insert({
      startedAt,
      finishedAt: new Date(),
      repaired,
      violations,
      watermark: startedAt,
      sweepCursor: cursor,
      stripeObjects: seen.count,
    });
    if (repaired.length || violations.length) this.logger.warn({ repaired, violations }, 'reconciliation found differences');
    return { repaired, violations, stripeObjects: seen.count };
  }

  /**
   * An accept whose PaymentIntent was never made (Stripe down, crash after commit), within the
   * payment window: `pi:<escrowId>` for 23 h, then a search by our metadata and a new key.
   */
  private async createMissingPaymentIntents(attempt: Attempt): Promise<void> {
    const since = new Date(Date.now() - this.config.paymentWindowHours * 3_600_000);
    const missing = await this.ds.getRepository(Escrow).find({
      where: { status: 'requires_payment', paymentIntentId: IsNull(), createdAt: MoreThan(since) },
      select: { id: true },
      take: SWEEP_LIMIT,
    });
    for (const escrow of missing) {
      await attempt('payment_intent', escrow.id, async () => Boolean((await this.escrows.ensurePaymentIntent(escrow.id)).paymentIntentId));
    }
  }

  /** What Stripe created since the watermark (everything on the very first run). */
  private async listSince(since: Date | null, seen: Seen): Promise<void> {
    const filter = since ? { createdGte: Math.floor(since.getTime() / 1000) } : {};
    const [paymentIntents, transfers, refunds] = await Promise.all([this.gateway.listPaymentIntents(filter), this.gateway.listTransfers(filter), this.gateway.listRefunds(filter)]);
    for (const pi of paymentIntents) seen.paymentIntents.set(pi.id, pi);
    for (const t of transfers) seen.transfers.set(t.id, t);
    for (const r of refunds) seen.refunds.set(r.id, r);
    seen.count += paymentIntents.length + transfers.length + refunds.length;
  }

  /**
   * The escrows whose Stripe objects are re-read one by one: those the last run found wrong, and
   * the unfinished ones — awaiting payment (a lost payment_intent.succeeded: F7), a payout in
   * flight, a lost chargeback — at most SWEEP_LIMIT, going round by id from the last cursor.
   */
  private async sweepSet(last: ReconciliationRun | null, now: Date): Promise<{ sweep: Escrow[]; cursor: string | null }> {
    const named = [...new Set((last?.violations ?? []).map((v) => v.escrowId).filter((id): id is string => Boolean(id)))].slice(0, SWEEP_LIMIT);
    const stale = new Date(now.getTime() - STALE_TRANSFERRING_MS);
    const unfinished = `(e.status = 'requires_payment' AND e.payment_intent_id IS NOT NULL)
        OR (e.payout_status = 'transferring' AND e.updated_at < $2) OR (e.partner_payout_status = 'transferring' AND e.updated_at < $2)
        OR e.payout_status = 'reversed' OR e.chargeback_status = 'lost'`;
    const after = last?.sweepCursor ?? '00000000-0000-0000-0000-000000000000';
    const page = async (from: string, limit: number) =>
      (await this.ds.query(`SELECT e.id FROM escrows e WHERE e.id > $1 AND (${unfinished}) ORDER BY e.id LIMIT $3`, [from, stale, limit])) as Array<{ id: string }>;
    const room = SWEEP_LIMIT - named.length;
    let ids = room > 0 ? await page(after, room) : [];
    // Past the end: start again from the beginning next time (and fill this run from there).
    const wrapped = ids.length < room;
    if (wrapped && after !== '00000000-0000-0000-0000-000000000000') ids = [...ids, ...(await page('00000000-0000-0000-0000-000000000000', room - ids.length))];
    const cursor = wrapped ? null : (ids[ids.length - 1]?.id ?? null);
    const all = [...new Set([...named, ...ids.map((r) => r.id)])];
    const sweep = all.length ? await this.ds.getRepository(Escrow).find({ where: { id: In(all) } }) : [];
    return { sweep, cursor };
  }

  /** Each swept escrow's PaymentIntent, and for a funded one its Transfers, Refunds and Reversals. */
  private async readSwept(sweep: Escrow[], seen: Seen): Promise<void> {
    for (const escrow of sweep) {
      if (escrow.paymentIntentId && !seen.paymentIntents.has(escrow.paymentIntentId)) {
        seen.paymentIntents.set(escrow.paymentIntentId, await this.gateway.retrievePaymentIntent(escrow.paymentIntentId));
        seen.count += 1;
      }
      if (!escrow.chargeId || !escrow.paymentIntentId) continue;
      const [transfers, refunds] = await Promise.all([this.gateway.listTransfersOfGroup(escrow.requestId), this.gateway.listPaymentIntentRefunds(escrow.paymentIntentId)]);
      seen.count += transfers.length + refunds.length;
      for (const t of transfers) seen.transfers.set(t.id, t);
      for (const r of refunds) seen.refunds.set(r.id, r);
      for (const transfer of transfers.filter((t) => t.metadata.escrowId === escrow.id && t.amountReversed > 0)) {
        const reversals = await this.gateway.listReversals(transfer.id);
        seen.count += reversals.length;
        for (const r of reversals) seen.reversals.set(r.id, { ...r, escrowId: escrow.id });
      }
    }
  }

  /** F7: a paid PaymentIntent whose webhook never came funds (or refunds) its escrow; a cancelled escrow's PaymentIntent is cancelled. */
  private async syncPaymentIntents(paymentIntents: PaymentIntentView[], attempt: Attempt): Promise<void> {
    const ours = paymentIntents.filter((pi) => pi.metadata.escrowId);
    const escrows = await this.escrowsOf(ours.map((pi) => pi.metadata.escrowId));
    for (const pi of ours) {
      const escrow = escrows.get(pi.metadata.escrowId);
      if (!escrow) continue;
      const unfunded = escrow.status === 'requires_payment' || escrow.status === 'cancelled';
      if (unfunded && (pi.status === 'succeeded' || pi.status === 'canceled')) {
        await attempt('payment_intent_sync', escrow.id, async () => !['none', 'unknown', 'mismatch'].includes(await this.funding.syncPaymentIntent(pi)));
      } else if (escrow.status === 'cancelled' && PAYABLE.includes(pi.status)) {
        await attempt('payment_intent_cancel', escrow.id, async () => {
          await this.escrows.cancelPaymentIntent(escrow.id, 'abandoned');
          return true;
        });
      }
    }
  }

  /** Payouts due (the hold over) or left transferring by a dead attempt, and refunds not made yet: through the live paths. */
  private async retryPayoutsAndRefunds(now: Date, attempt: Attempt): Promise<void> {
    const stale = new Date(now.getTime() - STALE_TRANSFERRING_MS);
    const due = { status: In(['released', 'partially_refunded']), frozen: false, payoutAvailableAt: Or(IsNull(), LessThanOrEqual(now)) };
    const unpaid = await this.ds.getRepository(Escrow).find({
      where: [
        { ...due, payoutStatus: 'pending' },
        { status: In(['released', 'partially_refunded']), payoutStatus: 'transferring', updatedAt: LessThanOrEqual(stale) },
      ],
      select: { id: true },
      take: SWEEP_LIMIT,
    });
    for (const { id } of unpaid) await attempt('payout', id, async () => (await this.payouts.payEscrow(id, now)) === 'paid');
    const unpaidShares = await this.ds.getRepository(Escrow).find({
      where: [
        { ...due, partnerPayoutStatus: 'pending' },
        { status: In(['released', 'partially_refunded']), partnerPayoutStatus: 'transferring', updatedAt: LessThanOrEqual(stale) },
      ],
      select: { id: true },
      take: SWEEP_LIMIT,
    });
    for (const { id } of unpaidShares) await attempt('partner_payout', id, async () => (await this.payouts.payPartnerShare(id, now)) === 'paid');
    const unpaidHoldbacks = await this.ds.getRepository(Escrow).find({
      where: [
        { status: In(['released', 'partially_refunded']), frozen: false, holdbackPayoutStatus: 'pending' },
        { status: In(['released', 'partially_refunded']), holdbackPayoutStatus: 'transferring', updatedAt: LessThanOrEqual(stale) },
      ],
      select: { id: true },
      take: SWEEP_LIMIT,
    });
    for (const { id } of unpaidHoldbacks) await attempt('holdback_payout', id, async () => (await this.payouts.payHoldback(id, now)) === 'paid');
    const pending = await this.ds.getRepository(EscrowRefund).find({ where: { status: 'pending', stripeRefundId: IsNull() }, select: { id: true, escrowId: true }, take: SWEEP_LIMIT });
    for (const refund of pending) {
      await attempt('refund', refund.escrowId, async () => {
        await this.refunds.executeRefund(refund.id);
        return true;
      });
    }
  }

  /**
   * M4, both ways, over what this run read: the Stripe objects listed since the watermark and
   * those of the swept escrows, against our entries written since the watermark and those of the
   * swept escrows. An entry of ours whose object was created before the window is read by id
   * before it is called missing.
   */
  private async compare(seen: Seen, since: Date | null, sweep: Escrow[]): Promise<Violation[]> {
    const sweptIds = sweep.map((e) => e.id);
    // The escrows the Stripe objects read here name: their entries are compared whenever they were written.
    const named = [...seen.paymentIntents.values(), ...seen.transfers.values()].map((o) => o.metadata.escrowId).filter((id) => id && UUID.test(id));
    const escrowIds = [...new Set([...sweptIds, ...named])];
    const kinds = In(['funding', 'payout', 'partner_payout', 'holdback_payout', 'reversal']);
    const txns = await this.ds.getRepository(LedgerTransaction).find({
      where: [{ kind: kinds, ...(since && { createdAt: MoreThan(since) }) }, ...(escrowIds.length ? [{ kind: kinds, escrowId: In(escrowIds) }] : [])],
      select: { id: true, kind: true, escrowId: true, stripeObjectId: true },
    });
    const refundRows = await this.ds.getRepository(EscrowRefund).find({
      where: [since ? { updatedAt: MoreThan(since) } : {}, ...(sweptIds.length ? [{ escrowId: In(sweptIds) }] : [])],
      select: { id: true, escrowId: true, stripeRefundId: true, status: true, idempotencyKey: true },
    });
    await this.readMissing(txns, refundRows, seen, sweptIds);
    const touched = new Set([...txns.map((t) => t.escrowId), ...refundRows.map((r) => r.escrowId), ...sweptIds]);
    const piEscrows = (await this.ds.query(`SELECT payment_intent_id AS "pi", id FROM escrows WHERE payment_intent_id = ANY($1::text[])`, [
      [...seen.refunds.values()].map((r) => r.paymentIntentId).filter(Boolean),
    ])) as Array<{ pi: string; id: string }>;
    // A Stripe refund of ours whose row is older than the window: load that escrow's rows too.
    const more = piEscrows.map((r) => r.id).filter((id) => !touched.has(id));
    if (more.length) refundRows.push(...(await this.ds.getRepository(EscrowRefund).find({ where: { escrowId: In(more) } })));
    const stripe: StripeSide = {
      charges: [...seen.paymentIntents.values()]
        .filter((pi) => pi.status === 'succeeded' && pi.chargeId && pi.metadata.escrowId)
        .map((pi) => ({ paymentIntentId: pi.id, chargeId: pi.chargeId as string, escrowId: pi.metadata.escrowId, amount: pi.amount })),
      transfers: [...seen.transfers.values()]
        .filter((t) => t.metadata.escrowId)
        .map((t) => ({ id: t.id, escrowId: t.metadata.escrowId, amount: t.amount, purpose: transferPurpose(t.metadata) })),
      refunds: [...seen.refunds.values()].filter((r) => r.paymentIntentId).map((r) => ({ id: r.id, paymentIntentId: r.paymentIntentId as string, amount: r.amount, status: r.status })),
      // Reversals are read for the swept escrows only: compared there.
      reversals: [...seen.reversals.values()].map((r) => ({ id: r.id, transferId: r.transferId, escrowId: r.escrowId, amount: r.amount })),
    };
    const ledger: LedgerSide = {
      fundings: txns.filter((t) => t.kind === 'funding').map((t) => ({ escrowId: t.escrowId, chargeId: t.stripeObjectId })),
      payouts: txns.flatMap((t) => {
        const purpose = PAYOUT_KINDS[t.kind];
        return purpose ? [{ escrowId: t.escrowId, transferId: t.stripeObjectId, purpose }] : [];
      }),
      refunds: refundRows.map((r) => ({ escrowId: r.escrowId, stripeRefundId: r.stripeRefundId, status: r.status, key: r.idempotencyKey })),
      paymentIntentIds: new Map(piEscrows.map((r) => [r.pi, r.id])),
      reversals: txns.filter((t) => t.kind === 'reversal' && sweptIds.includes(t.escrowId)).map((t) => ({ escrowId: t.escrowId, reversalId: t.stripeObjectId })),
    };
    return reconcile(stripe, ledger);
  }

  /**
   * Our entries whose Stripe object this run did not list: made before the window, or — Stripe
   * was read first, our entries after — made while it ran. Read by id, a few at most.
   */
  private async readMissing(txns: LedgerTransaction[], refundRows: EscrowRefund[], seen: Seen, sweptIds: string[]): Promise<void> {
    const charges = new Set([...seen.paymentIntents.values()].map((pi) => pi.chargeId));
    for (const t of txns) {
      if (!t.stripeObjectId) continue;
      if (PAYOUT_KINDS[t.kind] && !seen.transfers.has(t.stripeObjectId)) {
        const found = await this.gateway.retrieveTransfer(t.stripeObjectId).catch(() => null);
        if (found) seen.transfers.set(found.id, found);
        seen.count += 1;
      } else if (t.kind === 'funding' && !charges.has(t.stripeObjectId)) {
        const escrow = await this.ds.getRepository(Escrow).findOne({ where: { id: t.escrowId }, select: { id: true, paymentIntentId: true } });
        if (escrow?.paymentIntentId) {
          const pi = await this.gateway.retrievePaymentIntent(escrow.paymentIntentId);
          seen.paymentIntents.set(pi.id, pi);
          charges.add(pi.chargeId);
          seen.count += 1;
        }
      }
    }
    for (const r of refundRows) {
      if (r.stripeRefundId && !seen.refunds.has(r.stripeRefundId)) {
        const found = await this.gateway.retrieveRefund(r.stripeRefundId).catch(() => null);
        if (found) seen.refunds.set(found.id, found);
        seen.count += 1;
      }
    }
    // Reversals are compared for the swept escrows: one posted after their Transfers were read is read again.
    const unseen = txns.filter((t) => t.kind === 'reversal' && t.stripeObjectId && !seen.reversals.has(t.stripeObjectId) && sweptIds.includes(t.escrowId));
    for (const escrowId of new Set(unseen.map((t) => t.escrowId))) {
      const escrow = await this.ds.getRepository(Escrow).findOne({ where: { id: escrowId }, select: { id: true, transferId: true, partnerTransferId: true, holdbackTransferId: true } });
      for (const transferId of [escrow?.transferId, escrow?.holdbackTransferId, escrow?.partnerTransferId]) {
        if (!transferId) continue;
        const reversals = await this.gateway.listReversals(transferId);
        seen.count += reversals.length;
        for (const r of reversals) seen.reversals.set(r.id, { ...r, escrowId });
      }
    }
  }

  private async escrowsOf(ids: string[]): Promise<Map<string, Escrow>> {
    const valid = ids.filter((id) => UUID.test(id));
    if (valid.length === 0) return new Map();
    const rows = await this.ds.getRepository(Escrow).find({ where: { id: In(valid) } });
    return new Map(rows.map((e) => [e.id, e]));
  }
}

type Attempt = (label: string, escrowId: string, repair: () => Promise<boolean>) => Promise<void>;

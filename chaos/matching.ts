import { Pool } from 'pg';
import Stripe from 'stripe';
import { TransferPurpose, transferPurpose } from '../src/payments/domain/transfer-purpose';

/** Everything at "Stripe" (the sandbox), listed page by page through the official SDK. */
export interface StripeWorld {
  paymentIntents: Stripe.PaymentIntent[];
  transfers: Stripe.Transfer[];
  reversals: Stripe.TransferReversal[];
  refunds: Stripe.Refund[];
  disputes: Stripe.Dispute[];
}

async function all<T>(list: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of list) items.push(item);
  return items;
}

export async function readStripe(stripe: Stripe): Promise<StripeWorld> {
  const [paymentIntents, transfers, refunds, disputes] = await Promise.all([
    all(stripe.paymentIntents.list({ limit: 100 })),
    all(stripe.transfers.list({ limit: 100 })),
    all(stripe.refunds.list({ limit: 100 })),
    all(stripe.disputes.list({ limit: 100 })),
  ]);
  const reversals: Stripe.TransferReversal[] = [];
  for (const transfer of transfers.filter((t) => t.amount_reversed > 0)) reversals.push(...(await all(stripe.transfers.listReversals(transfer.id, { limit: 100 }))));
  return { paymentIntents, transfers, reversals, refunds, disputes };
}

interface Txn {
  id: string;
  kind: string;
  reference: string;
  escrowId: string;
  stripeObjectId: string | null;
  /** The posting's lines by account. */
  lines: Record<string, number>;
}

interface RefundRow {
  id: string;
  escrowId: string;
  amount: number;
  status: string;
  stripeRefundId: string | null;
  key: string;
}

interface EscrowRow {
  id: string;
  status: string;
  paymentIntentId: string | null;
  chargeId: string | null;
  held: number;
}

async function readLedger(pool: Pool): Promise<{ txns: Txn[]; refunds: RefundRow[]; escrows: EscrowRow[] }> {
  const txns = (
    await pool.query(
      `SELECT t.id, t.kind, t.reference, t.escrow_id, t.stripe_object_id, json_object_agg(e.account, e.amount) AS lines
         FROM ledger_transactions t JOIN (SELECT txn_id, account, sum(amount)::bigint AS amount FROM ledger_entries GROUP BY txn_id, account) e ON e.txn_id = t.id
        GROUP BY t.id`,
    )
  ).rows.map((r) => ({ id: r.id, kind: r.kind, reference: r.reference, escrowId: r.escrow_id, stripeObjectId: r.stripe_object_id, lines: r.lines as Record<string, number> }));
  const refunds = (await pool.query(`SELECT id, escrow_id, amount, status, stripe_refund_id, idempotency_key FROM escrow_refunds`)).rows.map((r) => ({
    id: r.id,
    escrowId: r.escrow_id,
    amount: Number(r.amount),
    status: r.status,
    stripeRefundId: r.stripe_refund_id,
    key: r.idempotency_key,
  }));
  const escrows = (
    await pool.query(
      `SELECT id, status, payment_intent_id, charge_id,
              CASE WHEN status IN ('requires_payment', 'cancelled') THEN 0
                   ELSE amount - refunded_amount - released_amount - chargeback_loss_held - unclaimed_amount END AS held
         FROM escrows`,
    )
  ).rows.map((r) => ({ id: r.id, status: r.status, paymentIntentId: r.payment_intent_id, chargeId: r.charge_id, held: Number(r.held) }));
  return { txns, refunds, escrows };
}

export interface Matching {
  /** Each Stripe object without its ledger entry, or entry without its object, in words. */
  unmatched: string[];
  matched: { paymentIntents: number; transfers: number; reversals: number; refunds: number; lostDisputes: number };
  /** Transfers and reversals matched, by whose money they carried (expert, partner, holdback). */
  byPurpose: Record<string, { transfers: number; reversals: number }>;
}

const line = (txn: Txn, account: string) => Number(txn.lines[account] ?? 0);

/** What the matchers share: the ledger as read, what is unmatched, what was paired. */
class Ledger {
  readonly unmatched: string[] = [];
  readonly matched = { paymentIntents: 0, transfers: 0, reversals: 0, refunds: 0, lostDisputes: 0 };
  readonly byPurpose: Record<string, { transfers: number; reversals: number }> = {};
  /** Entries paired with a Stripe object. */
  readonly paired = new Set<string>();
  readonly byReference: Map<string, Txn>;

  constructor(
    readonly txns: Txn[],
    readonly refunds: RefundRow[],
    readonly escrows: EscrowRow[],
  ) {
    this.byReference = new Map(txns.map((t) => [t.reference, t]));
  }

  byStripeId(kinds: string[]): Map<string, Txn> {
    return new Map(this.txns.filter((t) => kinds.includes(t.kind) && t.stripeObjectId).map((t) => [t.stripeObjectId as string, t]));
  }

  pair(what: keyof Ledger['matched'], ...entries: Txn[]): void {
    for (const entry of entries) this.paired.add(entry.id);
    this.matched[what] += 1;
  }
}

/**
 * One to one, both ways: every succeeded PaymentIntent ↔ one funding entry (its charge), every
 * Transfer ↔ one payout entry, every Reversal ↔ one reversal entry, every Refund ↔ one refund row
 * with its refund entry (and, failed, its reversal), every lost chargeback ↔ its loss — each with
 * the same amount — and no entry recording a Stripe object left unpaired.
 */
export async function matchStripe(pool: Pool, world: StripeWorld): Promise<Matching> {
  const { txns, refunds, escrows } = await readLedger(pool);
  const ledger = new Ledger(txns, refunds, escrows);
  matchPaymentIntents(ledger, world.paymentIntents);
  matchTransfers(ledger, world.transfers, world.reversals);
  matchRefunds(ledger, world.refunds);
  matchDisputes(ledger, world.disputes);
  for (const txn of txns) {
    if (ledger.paired.has(txn.id) || !STRIPE_KINDS.includes(txn.kind)) continue;
    ledger.unmatched.push(`ledger ${txn.kind} ${txn.reference} (${JSON.stringify(txn.lines)}) matches nothing at Stripe`);
  }
  return { unmatched: ledger.unmatched, matched: ledger.matched, byPurpose: ledger.byPurpose };
}

/** The entries that record something Stripe did. */
const STRIPE_KINDS = ['funding', 'payout', 'partner_payout', 'holdback_payout', 'reversal', 'refund', 'refund_failed', 'chargeback'];

/** The ledger kind that records each purpose's Transfer (M3: one of each per escrow at most). */
const PAYOUT_KIND: Record<TransferPurpose | 'unknown', string> = { expert: 'payout', partner: 'partner_payout', holdback: 'holdback_payout', unknown: '' };

function matchPaymentIntents(ledger: Ledger, paymentIntents: Stripe.PaymentIntent[]): void {
  const fundings = ledger.byStripeId(['funding']);
  const escrowById = new Map(ledger.escrows.map((e) => [e.id, e]));
  for (const pi of paymentIntents) {
    const escrow = escrowById.get(pi.metadata.escrowId ?? '');
    if (pi.status !== 'succeeded') {
      if (escrow && escrow.chargeId && escrow.paymentIntentId === pi.id) ledger.unmatched.push(`PaymentIntent ${pi.id} is ${pi.status}, yet escrow ${escrow.id} was funded by it`);
      continue;
    }
    const funding = fundings.get(String(pi.latest_charge));
    if (!funding) ledger.unmatched.push(`PaymentIntent ${pi.id} (${pi.amount}) succeeded without a funding entry`);
    else if (line(funding, 'escrow_held') !== pi.amount || funding.escrowId !== pi.metadata.escrowId) ledger.unmatched.push(`PaymentIntent ${pi.id} (${pi.amount}) funded ${line(funding, 'escrow_held')} of escrow ${funding.escrowId}`);
    else ledger.pair('paymentIntents', funding);
  }
}

/**
 * Every Transfer ↔ the payout entry of its purpose (the expert's payout, the partner's share, the
 * warranty holdback) with the same amount and escrow; never two Transfers of one escrow and
 * purpose (a share or holdback paid twice). Every Reversal ↔ one reversal entry of the same payee.
 */
function matchTransfers(ledger: Ledger, transfers: Stripe.Transfer[], reversals: Stripe.TransferReversal[]): void {
  const payouts = ledger.byStripeId(['payout', 'partner_payout', 'holdback_payout']);
  const purposeOf = new Map<string, TransferPurpose | 'unknown'>();
  const perEscrow = new Map<string, string[]>();
  for (const transfer of transfers) {
    const purpose = transferPurpose(transfer.metadata);
    purposeOf.set(transfer.id, purpose);
    const key = `${transfer.metadata.escrowId} ${purpose}`;
    perEscrow.set(key, [...(perEscrow.get(key) ?? []), transfer.id]);
    const payout = payouts.get(transfer.id);
    if (!payout) ledger.unmatched.push(`Transfer ${transfer.id} (${transfer.amount}, ${purpose}) without a payout entry`);
    else if (payout.kind !== PAYOUT_KIND[purpose]) ledger.unmatched.push(`Transfer ${transfer.id} (${purpose}) booked as ${payout.kind}`);
    else if (line(payout, 'paid_out') !== transfer.amount || payout.escrowId !== transfer.metadata.escrowId) ledger.unmatched.push(`Transfer ${transfer.id} (${transfer.amount}, ${purpose}) booked as ${line(payout, 'paid_out')}`);
    else {
      ledger.pair('transfers', payout);
      countPurpose(ledger, purpose, 'transfers');
    }
  }
  for (const [key, ids] of perEscrow) if (ids.length > 1) ledger.unmatched.push(`escrow ${key.replace(' ', ': ')} paid ${ids.length} times at Stripe (${ids.join(', ')})`);
  const entries = ledger.byStripeId(['reversal']);
  for (const reversal of reversals) {
    const entry = entries.get(reversal.id);
    const purpose = purposeOf.get(String(reversal.transfer)) ?? 'unknown';
    // The entry's reference names the payee it took back from: reversal:<payee>:<escrowId>:<reversalId>.
    const payee = entry?.reference.split(':')[1];
    if (!entry) ledger.unmatched.push(`Reversal ${reversal.id} (${reversal.amount}) without a reversal entry`);
    else if (-line(entry, 'paid_out') !== reversal.amount) ledger.unmatched.push(`Reversal ${reversal.id} (${reversal.amount}) booked as ${-line(entry, 'paid_out')}`);
    else if (payee !== purpose) ledger.unmatched.push(`Reversal ${reversal.id} of a ${purpose} Transfer booked as the ${payee}'s`);
    else {
      ledger.pair('reversals', entry);
      countPurpose(ledger, purpose, 'reversals');
    }
  }
}

function countPurpose(ledger: Ledger, purpose: string, what: 'transfers' | 'reversals'): void {
  const counts = (ledger.byPurpose[purpose] ??= { transfers: 0, reversals: 0 });
  counts[what] += 1;
}

/** A Refund ↔ its row (by Stripe id) ↔ its refund entry (by the row's key); failed at Stripe ↔ failed here and reversed in the ledger. */
function matchRefunds(ledger: Ledger, refunds: Stripe.Refund[]): void {
  const rows = new Map(ledger.refunds.filter((r) => r.stripeRefundId).map((r) => [r.stripeRefundId as string, r]));
  for (const refund of refunds) {
    const row = rows.get(refund.id);
    const booked = row && ledger.byReference.get(row.key);
    const reversed = row && ledger.byReference.get(`refund_failed:${row.key}`);
    const failed = refund.status === 'failed' || refund.status === 'canceled';
    if (!row || !booked) ledger.unmatched.push(`Refund ${refund.id} (${refund.amount}, ${refund.status}) without its refund ${row ? 'entry' : 'row'}`);
    else if (row.amount !== refund.amount || line(booked, 'refunded') !== refund.amount) ledger.unmatched.push(`Refund ${refund.id} (${refund.amount}) booked as ${line(booked, 'refunded')}`);
    else if (failed !== (row.status === 'failed') || failed !== Boolean(reversed)) ledger.unmatched.push(`Refund ${refund.id} is ${refund.status} at Stripe, ${row.status} here${reversed ? ', reversed in the ledger' : ''}`);
    else ledger.pair('refunds', booked, ...(reversed ? [reversed] : []));
  }
  const atStripe = new Set(refunds.map((r) => r.id));
  for (const row of ledger.refunds) {
    if (row.stripeRefundId && !atStripe.has(row.stripeRefundId)) ledger.unmatched.push(`refund row ${row.id} names ${row.stripeRefundId}, unknown at Stripe`);
    // A refund Stripe refused outright has no Refund object: its entry and its reversal pair with each other.
    const booked = ledger.byReference.get(row.key);
    const reversed = ledger.byReference.get(`refund_failed:${row.key}`);
    if (!row.stripeRefundId && row.status === 'failed' && booked && reversed) for (const entry of [booked, reversed]) ledger.paired.add(entry.id);
  }
}

/** A lost chargeback ↔ chargeback entries of its escrow adding up to the disputed amount; a won one ↔ none. */
function matchDisputes(ledger: Ledger, disputes: Stripe.Dispute[]): void {
  const escrowByCharge = new Map(ledger.escrows.filter((e) => e.chargeId).map((e) => [e.chargeId as string, e]));
  for (const dispute of disputes) {
    const escrow = escrowByCharge.get(String(dispute.charge));
    const losses = ledger.txns.filter((t) => t.kind === 'chargeback' && t.escrowId === escrow?.id);
    const booked = losses.reduce((sum, t) => sum + line(t, 'chargeback_loss'), 0);
    const expected = dispute.status === 'lost' ? dispute.amount : 0;
    if (!escrow) ledger.unmatched.push(`Dispute ${dispute.id} on charge ${String(dispute.charge)}, which funded no escrow`);
    else if (booked !== expected) ledger.unmatched.push(`Dispute ${dispute.id} (${dispute.status}, ${dispute.amount}): ${booked} booked as chargeback loss`);
    else if (dispute.status === 'lost') ledger.pair('lostDisputes', ...losses);
  }
}

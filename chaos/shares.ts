import { Pool } from 'pg';
import { transferPurpose } from '../src/payments/domain/transfer-purpose';
import type { StripeWorld } from './matching';

export interface Shares {
  /** A holdback or partner share lost, paid twice, or left on the platform after its job ended, in words. */
  problems: string[];
  checked: { holdbacks: number; partnerShares: number };
}

interface EscrowRow {
  id: string;
  requestId: string;
  requestStatus: string;
  warrantyRunning: boolean;
  openDisputes: number;
  holdback: number;
  holdbackRefunded: number;
  holdbackLost: number;
  warrantyStatus: string | null;
  partnerShareBps: number;
  /** Per ledger account, this escrow's balance; and what the release and the chargebacks posted to partner_payable. */
  warrantyHeld: number;
  partnerPayable: number;
  partnerShare: number;
  partnerLost: number;
}

/**
 * M9 followed to the end, one escrow at a time, with Stripe as the outside witness: every cent of
 * a warranty holdback went exactly one way — to the expert (its own Transfer), back to the customer
 * (a Refund that succeeded at Stripe), to the bank (a lost chargeback) or written off as owed to the
 * customer — or is still held while the warranty runs; and every partner's share was transferred
 * once, taken by a lost chargeback before it was, or is still owed. When a job has ended (final
 * status, no dispute open, no warranty running) nothing of either may be left on the platform.
 */
export async function checkShares(pool: Pool, world: StripeWorld): Promise<Shares> {
  const { rows } = await pool.query(
    `SELECT e.id, e.request_id, r.status AS request_status, r.warranty_ends_at IS NOT NULL AS warranty_running,
            (SELECT count(*)::int FROM disputes d WHERE d.request_id = r.id AND d.status = 'open') AS open_disputes,
            e.warranty_holdback, e.warranty_refunded, e.warranty_lost, e.warranty_status, e.partner_share_bps,
            COALESCE(sum(l.amount) FILTER (WHERE l.account = 'warranty_held'), 0)::bigint AS warranty_held,
            COALESCE(sum(l.amount) FILTER (WHERE l.account = 'partner_payable'), 0)::bigint AS partner_payable,
            COALESCE(sum(l.amount) FILTER (WHERE l.account = 'partner_payable' AND l.kind = 'release'), 0)::bigint AS partner_share,
            COALESCE(-sum(l.amount) FILTER (WHERE l.account = 'partner_payable' AND l.kind = 'chargeback'), 0)::bigint AS partner_lost
       FROM escrows e JOIN help_requests r ON r.id = e.request_id
       LEFT JOIN ledger_entries l ON l.escrow_id = e.id AND l.account IN ('warranty_held', 'partner_payable')
      WHERE e.warranty_holdback > 0 OR e.partner_share_bps > 0
      GROUP BY e.id, r.id`,
  );
  const escrows: EscrowRow[] = rows.map((r) => ({
    id: r.id,
    requestId: r.request_id,
    requestStatus: r.request_status,
    warrantyRunning: r.warranty_running,
    openDisputes: Number(r.open_disputes),
    holdback: Number(r.warranty_holdback),
    holdbackRefunded: Number(r.warranty_refunded),
    holdbackLost: Number(r.warranty_lost),
    warrantyStatus: r.warranty_status,
    partnerShareBps: Number(r.partner_share_bps),
    warrantyHeld: Number(r.warranty_held),
    partnerPayable: Number(r.partner_payable),
    partnerShare: Number(r.partner_share),
    partnerLost: Number(r.partner_lost),
  }));
  const holdbackRefundRows = new Map(
    (await pool.query(`SELECT stripe_refund_id, escrow_id FROM escrow_refunds WHERE from_holdback AND stripe_refund_id IS NOT NULL`)).rows.map((r) => [String(r.stripe_refund_id), String(r.escrow_id)]),
  );
  const transferred = new Map<string, number>();
  for (const transfer of world.transfers) {
    const key = `${transfer.metadata.escrowId} ${transferPurpose(transfer.metadata)}`;
    transferred.set(key, (transferred.get(key) ?? 0) + transfer.amount);
  }
  const refundedFromHoldback = new Map<string, number>();
  for (const refund of world.refunds.filter((r) => r.status === 'succeeded' && holdbackRefundRows.has(r.id))) {
    const escrowId = holdbackRefundRows.get(refund.id) as string;
    refundedFromHoldback.set(escrowId, (refundedFromHoldback.get(escrowId) ?? 0) + refund.amount);
  }

  const problems: string[] = [];
  const checked = { holdbacks: 0, partnerShares: 0 };
  for (const e of escrows) {
    const ended = ['completed', 'refunded', 'cancelled', 'expired'].includes(e.requestStatus) && e.openDisputes === 0 && !e.warrantyRunning;
    const where = `escrow ${e.id} (request ${e.requestId}, ${e.requestStatus})`;
    if (e.holdback > 0) {
      checked.holdbacks += 1;
      const paid = transferred.get(`${e.id} holdback`) ?? 0;
      const refunded = refundedFromHoldback.get(e.id) ?? 0;
      if (refunded !== e.holdbackRefunded) problems.push(`${where}: holdback refunds at Stripe ${refunded}, the escrow says ${e.holdbackRefunded} refunded`);
      const accounted = paid + e.holdbackRefunded + e.holdbackLost + e.warrantyHeld;
      if (accounted !== e.holdback) {
        problems.push(`${where}: holdback ${e.holdback} ≠ transferred ${paid} + refunded ${e.holdbackRefunded} + lost or written off ${e.holdbackLost} + still held ${e.warrantyHeld}`);
      }
      if (ended && e.warrantyHeld !== 0) problems.push(`${where}: the job ended (warranty ${e.warrantyStatus}) with ${e.warrantyHeld} of its holdback still in warranty_held`);
      if (!ended && e.warrantyRunning && e.warrantyStatus !== 'held') problems.push(`${where}: the warranty runs, but its holdback is ${e.warrantyStatus}`);
    }
    if (e.partnerShareBps > 0 && e.partnerShare > 0) {
      checked.partnerShares += 1;
      const paid = transferred.get(`${e.id} partner`) ?? 0;
      if (paid + e.partnerLost + e.partnerPayable !== e.partnerShare) {
        problems.push(`${where}: partner share ${e.partnerShare} ≠ transferred ${paid} + taken by a chargeback before it ${e.partnerLost} + still owed ${e.partnerPayable}`);
      }
      if (ended && e.partnerPayable !== 0) problems.push(`${where}: the job ended with ${e.partnerPayable} of the partner's share never transferred`);
    }
  }
  problems.push(...(await chargebackFairness(pool)));
  return { problems, checked };
}

/**
 * A chargeback lost after the release is charged to those the release paid, pro rata (M6): the
 * platform gives up at most the fee it kept on that escrow — never part of the expert's payout or
 * holdback, which is the expert's to give back.
 */
async function chargebackFairness(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query(
    `SELECT escrow_id,
            COALESCE(sum(amount) FILTER (WHERE kind = 'release'), 0)::bigint AS kept,
            COALESCE(-sum(amount) FILTER (WHERE kind = 'chargeback'), 0)::bigint AS given_up
       FROM ledger_entries WHERE account = 'platform_revenue' GROUP BY escrow_id
     HAVING COALESCE(-sum(amount) FILTER (WHERE kind = 'chargeback'), 0) > COALESCE(sum(amount) FILTER (WHERE kind = 'release'), 0)`,
  );
  return rows.map((r) => `escrow ${r.escrow_id}: a lost chargeback took ${r.given_up} from the platform, which kept ${r.kept} of its fee`);
}

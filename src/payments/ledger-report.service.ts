import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { withTransaction } from '../database/transaction';
import { Currency, CURRENCIES } from './domain/money';
import { REPORTED_ACCOUNTS, ReportedAccount } from './domain/ledger-postings';
import { LedgerViolation, ReconciliationRun } from './reconciliation-run.entity';

export type AccountBalances = Record<ReportedAccount, number>;

export interface LedgerReport {
  balances: Record<Currency, AccountBalances>;
  ok: boolean;
  violations: LedgerViolation[];
  reconciledAt: Date | null;
}

type Row = Record<string, string | number | null>;

/**
 * GET /v1/admin/ledger: balances per currency and the money invariants (M1, M2, M3, M9), each
 * checked in SQL against the ledger and the escrows, plus what the last reconciliation with
 * Stripe found (M4). An empty violations list is the claim "every cent is accounted for".
 */
@Injectable()
export class LedgerReportService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Every check reads one snapshot (REPEATABLE READ): money that moves while the report runs is
   * seen by all of them or by none, so a payment committed between two checks is never reported
   * as a mismatch between them.
   */
  report(): Promise<LedgerReport> {
    return withTransaction(this.ds, (em) => this.reportIn(em), { isolation: 'REPEATABLE READ' });
  }

  private async reportIn(em: EntityManager): Promise<LedgerReport> {
    const balances = await this.balances(em);
    const violations = [
      ...(await this.unbalancedTransactions(em)),
      ...(await this.heldMismatches(em, balances)),
      ...(await this.overspentEscrows(em)),
      ...(await this.refundMismatches(em)),
      ...(await this.payoutMismatches(em)),
      ...(await this.feeShareMismatches(em)),
      ...(await this.chargebackMismatches(em)),
      ...(await this.holdbackMismatches(em)),
    ];
    const lastRun = await em.getRepository(ReconciliationRun).findOne({ where: {}, order: { finishedAt: 'DESC' } });
    if (lastRun) violations.push(...lastRun.violations);
    return { balances, ok: violations.length === 0, violations, reconciledAt: lastRun?.finishedAt ?? null };
  }

  private async balances(em: EntityManager): Promise<Record<Currency, AccountBalances>> {
    const zero = (): AccountBalances => Object.fromEntries(REPORTED_ACCOUNTS.map((a) => [a, 0])) as AccountBalances;
    const result = Object.fromEntries(CURRENCIES.map((c) => [c, zero()])) as Record<Currency, AccountBalances>;
    const rows = (await em.query(`SELECT currency, account, sum(amount)::text AS total FROM ledger_entries GROUP BY currency, account`)) as Row[];
    for (const row of rows) {
      const account = row.account as ReportedAccount;
      if ((REPORTED_ACCOUNTS as readonly string[]).includes(account)) result[row.currency as Currency][account] = Number(row.total);
    }
    return result;
  }

  /** M1: every transaction sums to zero per currency (the database refuses otherwise; checked anyway). */
  private async unbalancedTransactions(em: EntityManager): Promise<LedgerViolation[]> {
    const rows = (await em.query(
      `SELECT e.txn_id, e.currency, sum(e.amount)::text AS total, min(e.escrow_id::text) AS escrow_id
         FROM ledger_entries e GROUP BY e.txn_id, e.currency HAVING sum(e.amount) <> 0`,
    )) as Row[];
    return rows.map((r) => ({ code: 'unbalanced_transaction', message: `ledger transaction ${r.txn_id} sums to ${r.total} ${r.currency}`, escrowId: String(r.escrow_id) }));
  }

  /**
   * M2: escrow_held equals the money the escrows hold, per currency and per escrow — for each
   * funded escrow its amount less what was refunded, released, lost to a chargeback or written
   * off (heldAmount in escrow-rules.ts, written again here in SQL so the two check each other).
   */
  private async heldMismatches(em: EntityManager, balances: Record<Currency, AccountBalances>): Promise<LedgerViolation[]> {
    const violations: LedgerViolation[] = [];
    const held = (await em.query(`SELECT currency, sum(${HELD_SQL})::text AS total FROM escrows e GROUP BY currency`)) as Row[];
    for (const currency of CURRENCIES) {
      const expected = Number(held.find((r) => r.currency === currency)?.total ?? 0);
      if (balances[currency].escrow_held !== expected) {
        violations.push({ code: 'escrow_held_mismatch', message: `escrow_held is ${balances[currency].escrow_held} ${currency}, held escrows sum to ${expected}` });
      }
    }
    const perEscrow = (await em.query(
      `SELECT e.id, e.status, COALESCE(l.held, 0)::text AS held, (${HELD_SQL})::text AS expected
         FROM escrows e
         LEFT JOIN (SELECT escrow_id, sum(amount) AS held FROM ledger_entries WHERE account = 'escrow_held' GROUP BY escrow_id) l ON l.escrow_id = e.id
        WHERE COALESCE(l.held, 0) <> ${HELD_SQL}`,
    )) as Row[];
    for (const r of perEscrow) {
      violations.push({ code: 'escrow_balance_mismatch', message: `escrow ${r.id} (${r.status}) holds ${r.held} in the ledger, expected ${r.expected}`, escrowId: String(r.id) });
    }
    return violations;
  }

  /** M2: per request, transfers + refunds never exceed the charge. */
  private async overspentEscrows(em: EntityManager): Promise<LedgerViolation[]> {
    const rows = (await em.query(
      `SELECT escrow_id,
              COALESCE(sum(amount) FILTER (WHERE account = 'escrow_held' AND kind = 'funding'), 0)::text AS funded,
              COALESCE(sum(amount) FILTER (WHERE account IN ('paid_out', 'refunded')), 0)::text AS spent
         FROM ledger_entries GROUP BY escrow_id
       HAVING COALESCE(sum(amount) FILTER (WHERE account IN ('paid_out', 'refunded')), 0)
            > COALESCE(sum(amount) FILTER (WHERE account = 'escrow_held' AND kind = 'funding'), 0)`,
    )) as Row[];
    return rows.map((r) => ({ code: 'overspent', message: `escrow ${r.escrow_id}: transfers + refunds ${r.spent} exceed the charge ${r.funded}`, escrowId: String(r.escrow_id) }));
  }

  /** Nothing refunded twice: the escrow's refunded_amount, its refund rows (less the failed ones) and the ledger agree. */
  private async refundMismatches(em: EntityManager): Promise<LedgerViolation[]> {
    const rows = (await em.query(
      `SELECT e.id, (e.refunded_amount + e.warranty_refunded)::text AS recorded,
              COALESCE((SELECT sum(r.amount) FROM escrow_refunds r WHERE r.escrow_id = e.id AND r.status <> 'failed'), 0)::text AS refund_rows,
              COALESCE((SELECT sum(l.amount) FROM ledger_entries l WHERE l.escrow_id = e.id AND l.account = 'refunded'), 0)::text AS ledger
         FROM escrows e
        WHERE e.refunded_amount + e.warranty_refunded <> COALESCE((SELECT sum(r.amount) FROM escrow_refunds r WHERE r.escrow_id = e.id AND r.status <> 'failed'), 0)
           OR e.refunded_amount + e.warranty_refunded <> COALESCE((SELECT sum(l.amount) FROM ledger_entries l WHERE l.escrow_id = e.id AND l.account = 'refunded'), 0)`,
    )) as Row[];
    return rows.map((r) => ({
      code: 'refund_mismatch',
      message: `escrow ${r.id}: refunded_amount ${r.recorded}, refund rows ${r.refund_rows}, ledger ${r.ledger}`,
      escrowId: String(r.id),
    }));
  }

  /** M3: at most one payout per escrow, and payoutStatus paid (or reversed since) exactly when the ledger has it. */
  private async payoutMismatches(em: EntityManager): Promise<LedgerViolation[]> {
    const rows = (await em.query(
      `SELECT e.id, e.payout_status, count(t.id)::int AS payouts
         FROM escrows e LEFT JOIN ledger_transactions t ON t.escrow_id = e.id AND t.kind = 'payout'
        GROUP BY e.id, e.payout_status
       HAVING count(t.id) > 1 OR (count(t.id) = 1) <> (e.payout_status IN ('paid', 'reversed'))`,
    )) as Row[];
    return rows.map((r) => ({ code: 'payout_mismatch', message: `escrow ${r.id}: payoutStatus ${r.payout_status} with ${r.payouts} payout(s) in the ledger`, escrowId: String(r.id) }));
  }

  /**
   * M9, per escrow, recomputed here from the escrow's own columns (not read back from the code
   * that posted it): a release books the fee kept as platform net + partner share, the share being
   * floor(fee kept × partner_share_bps / 10000); partner_payable holds what is owed to the partner
   * less what was transferred and what a lost chargeback took from it before the Transfer; the
   * partner is paid once (M3), and exactly when the escrow says so.
   */
  private async feeShareMismatches(em: EntityManager): Promise<LedgerViolation[]> {
    const rows = (await em.query(
      `WITH owed AS (
         SELECT id, status, partner_payout_status, kept, kept * partner_share_bps / 10000 AS share
           FROM (SELECT e.*, CASE WHEN status NOT IN ('released', 'partially_refunded') OR released_amount = 0 THEN 0
                                  WHEN released_amount = amount THEN platform_fee::bigint
                                  ELSE released_amount::bigint * fee_bps / 10000 END AS kept
                   FROM escrows e) e
       ), booked AS (
         SELECT escrow_id,
                COALESCE(sum(amount) FILTER (WHERE account = 'platform_revenue' AND kind = 'release'), 0) AS net,
                COALESCE(sum(amount) FILTER (WHERE account = 'partner_payable' AND kind <> 'chargeback'), 0) AS payable,
                COALESCE(-sum(amount) FILTER (WHERE account = 'partner_payable' AND kind = 'chargeback'), 0) AS lost,
                COALESCE(sum(amount) FILTER (WHERE account = 'paid_out' AND kind = 'partner_payout'), 0) AS paid
           FROM ledger_entries WHERE account IN ('platform_revenue', 'partner_payable', 'paid_out') GROUP BY escrow_id
       ), transfers AS (
         SELECT escrow_id, count(*) AS n FROM ledger_transactions WHERE kind = 'partner_payout' GROUP BY escrow_id
       )
       SELECT o.id, o.partner_payout_status, o.kept::text, o.share::text, COALESCE(b.net, 0)::text AS net,
              COALESCE(b.payable, 0)::text AS payable, COALESCE(b.paid, 0)::text AS paid, COALESCE(t.n, 0)::int AS transfers
         FROM owed o LEFT JOIN booked b ON b.escrow_id = o.id LEFT JOIN transfers t ON t.escrow_id = o.id
        WHERE COALESCE(b.net, 0) + o.share <> o.kept
           OR COALESCE(b.payable, 0) <> o.share - COALESCE(b.paid, 0)
           OR COALESCE(b.paid, 0) <> CASE WHEN o.partner_payout_status IN ('paid', 'reversed') THEN o.share - COALESCE(b.lost, 0) ELSE 0 END
           OR COALESCE(t.n, 0) <> CASE WHEN o.partner_payout_status IN ('paid', 'reversed') THEN 1 ELSE 0 END
           OR (o.partner_payout_status = 'none') <> (o.share = 0)`,
    )) as Row[];
    return rows.map((r) => ({
      code: Number(r.transfers) > 1 ? 'partner_payout_mismatch' : 'partner_share_mismatch',
      message:
        `escrow ${r.id}: fee kept ${r.kept} = platform ${r.net} + partner share ${r.share} expected; ` +
        `partner_payable ${r.payable}, paid ${r.paid} in ${r.transfers} transfer(s), partner payout ${r.partner_payout_status}`,
      escrowId: String(r.id),
    }));
  }

  /**
   * M6, per escrow: what the ledger booked as chargeback loss is what the escrow says it lost, and
   * never more than the bank disputed; receivables are debts (never positive) and reversals never
   * take back more than was transferred.
   */
  private async chargebackMismatches(em: EntityManager): Promise<LedgerViolation[]> {
    const rows = (await em.query(
      `SELECT e.id, e.chargeback_loss::text AS recorded, e.chargeback_amount::text AS disputed,
              COALESCE(l.loss, 0)::text AS loss,
              COALESCE(l.reversed, 0)::text AS reversed, COALESCE(l.transferred, 0)::text AS transferred
         FROM escrows e
         LEFT JOIN (
           SELECT escrow_id,
                  sum(amount) FILTER (WHERE account = 'chargeback_loss') AS loss,
                  sum(amount) FILTER (WHERE account = 'expert_receivable') AS expert_receivable,
                  sum(amount) FILTER (WHERE account = 'partner_receivable') AS partner_receivable,
                  -sum(amount) FILTER (WHERE account = 'paid_out' AND kind = 'reversal') AS reversed,
                  sum(amount) FILTER (WHERE account = 'paid_out' AND kind IN ('payout', 'partner_payout', 'holdback_payout')) AS transferred
             FROM ledger_entries GROUP BY escrow_id
         ) l ON l.escrow_id = e.id
        WHERE COALESCE(l.loss, 0) <> e.chargeback_loss
           OR e.chargeback_loss > COALESCE(e.chargeback_amount, 0)
           OR COALESCE(l.reversed, 0) > COALESCE(l.transferred, 0)
           OR COALESCE(l.expert_receivable, 0) > 0
           OR COALESCE(l.partner_receivable, 0) > 0`,
    )) as Row[];
    return rows.map((r) => ({
      code: 'chargeback_mismatch',
      message: `escrow ${r.id}: chargeback loss ${r.loss} in the ledger, ${r.recorded} recorded of ${r.disputed ?? 0} disputed; reversed ${r.reversed} of ${r.transferred} transferred`,
      escrowId: String(r.id),
    }));
  }

  /**
   * M1–M3, M9 for the fix warranty, per escrow: warranty_held is the holdback less what was
   * refunded, lost or written off and less its Transfer, and still covers the customer's part of a
   * failed refund of it (never paid to the expert); at most one holdback Transfer, recorded exactly
   * when its payout says paid.
   */
  private async holdbackMismatches(em: EntityManager): Promise<LedgerViolation[]> {
    const rows = (await em.query(
      `SELECT e.id, e.holdback_payout_status, COALESCE(l.held, 0)::text AS held,
              (e.warranty_holdback - e.warranty_refunded - e.warranty_lost - COALESCE(l.paid, 0))::text AS expected, COALESCE(l.transfers, 0)::int AS transfers
         FROM escrows e
         LEFT JOIN (
           SELECT escrow_id, sum(amount) FILTER (WHERE account = 'warranty_held') AS held,
                  sum(amount) FILTER (WHERE account = 'paid_out' AND kind = 'holdback_payout') AS paid,
                  count(DISTINCT txn_id) FILTER (WHERE kind = 'holdback_payout') AS transfers
             FROM ledger_entries WHERE account IN ('warranty_held', 'paid_out') GROUP BY escrow_id
         ) l ON l.escrow_id = e.id
        WHERE e.warranty_holdback > 0 OR l.held IS NOT NULL
        GROUP BY e.id, e.holdback_payout_status, e.warranty_holdback, e.warranty_refunded, e.warranty_lost, e.warranty_refund_failed, l.held, l.paid, l.transfers
       HAVING COALESCE(l.held, 0) <> e.warranty_holdback - e.warranty_refunded - e.warranty_lost - COALESCE(l.paid, 0)
           OR COALESCE(l.held, 0) < e.warranty_refund_failed
           OR COALESCE(l.transfers, 0) > 1
           OR (COALESCE(l.transfers, 0) = 1) <> (e.holdback_payout_status IN ('paid', 'reversed'))`,
    )) as Row[];
    return rows.map((r) => ({
      code: 'holdback_mismatch',
      message: `escrow ${r.id}: warranty_held ${r.held}, expected ${r.expected}; ${r.transfers} holdback transfer(s), holdback payout ${r.holdback_payout_status}`,
      escrowId: String(r.id),
    }));
  }
}

/** heldAmount() of escrow-rules.ts, in SQL over `escrows e`. */
const HELD_SQL = `(CASE WHEN e.status IN ('requires_payment', 'cancelled') THEN 0
  ELSE e.amount - e.refunded_amount - e.released_amount - e.chargeback_loss_held - e.unclaimed_amount END)`;

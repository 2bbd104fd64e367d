import { Pool } from 'pg';
import { transferPurpose } from '../src/payments/domain/transfer-purpose';
import type { StripeWorld } from './matching';

export interface MoneyTerm {
  name: string;
  amount: number;
  source: string;
}

export interface Equation {
  moneyIn: MoneyTerm[];
  moneyOut: MoneyTerm[];
  difference: number;
  /** Stripe's totals against the ledger's accounts, each of which must agree. */
  crossChecks: Array<{ name: string; stripe: number; ledger: number }>;
}

/**
 * money in = money out + held + fees + losses, to the cent, with the outside of the ledger read
 * from Stripe: in = succeeded PaymentIntents; out = Transfers − Reversals + succeeded Refunds;
 * losses = lost chargebacks; held = what the escrows hold (their own columns) and the warranty
 * holdbacks still on the platform (warranty_held, checked against the escrows' holdbacks less
 * their Transfers, refunds and losses); fees = the
 * platform's revenue; and what is owed either way (still to pay an expert or partner, refunds
 * owed to customers after a write-off, debts of experts and partners, negative) from the ledger.
 */
export async function moneyEquation(pool: Pool, world: StripeWorld, balances: Record<string, number>): Promise<Equation> {
  const sum = <T>(items: T[], amount: (t: T) => number) => items.reduce((total, item) => total + amount(item), 0);
  const charged = sum(world.paymentIntents.filter((p) => p.status === 'succeeded'), (p) => p.amount);
  const transferred = sum(world.transfers, (t) => t.amount);
  const reversed = sum(world.reversals, (r) => r.amount);
  const refunded = sum(world.refunds.filter((r) => r.status === 'succeeded'), (r) => r.amount);
  const lost = sum(world.disputes.filter((d) => d.status === 'lost'), (d) => d.amount);
  const { rows } = await pool.query(
    `SELECT COALESCE(sum(CASE WHEN status IN ('requires_payment', 'cancelled') THEN 0
                         ELSE amount - refunded_amount - released_amount - chargeback_loss_held - unclaimed_amount END), 0)::bigint AS held,
            (SELECT COALESCE(-sum(amount), 0)::bigint FROM ledger_entries WHERE account = 'customer_funds') AS customer_funds,
            (SELECT COALESCE(-sum(amount), 0)::bigint FROM ledger_entries WHERE account = 'paid_out' AND kind = 'recovery') AS recovered,
            COALESCE(sum(warranty_holdback - warranty_refunded - warranty_lost), 0)::bigint AS holdbacks
       FROM escrows`,
  );
  const held = Number(rows[0].held);
  const recovered = Number(rows[0].recovered);
  const holdbackTransfers = sum(world.transfers.filter((t) => transferPurpose(t.metadata) === 'holdback'), (t) => t.amount);
  const b = (account: string) => Number(balances[account] ?? 0);
  const moneyIn: MoneyTerm[] = [
    { name: 'charged (succeeded PaymentIntents)', amount: charged, source: 'Stripe' },
    { name: 'debts repaid outside Stripe', amount: recovered, source: 'ledger' },
  ];
  const moneyOut: MoneyTerm[] = [
    { name: 'transferred to experts and partners', amount: transferred, source: 'Stripe' },
    { name: 'reversed back from them', amount: -reversed, source: 'Stripe' },
    { name: 'refunded to customers', amount: refunded, source: 'Stripe' },
    { name: 'lost to chargebacks', amount: lost, source: 'Stripe' },
    { name: 'held in escrow', amount: held, source: 'escrows' },
    { name: 'held back for warranties', amount: b('warranty_held'), source: 'ledger' },
    { name: 'platform fees kept', amount: b('platform_revenue'), source: 'ledger' },
    { name: 'owed to experts', amount: b('expert_payable'), source: 'ledger' },
    { name: 'owed to partners', amount: b('partner_payable'), source: 'ledger' },
    { name: 'owed to customers (refunds written off)', amount: b('unclaimed_refunds'), source: 'ledger' },
    { name: 'owed by experts', amount: b('expert_receivable'), source: 'ledger' },
    { name: 'owed by partners', amount: b('partner_receivable'), source: 'ledger' },
  ];
  const difference = sum(moneyIn, (t) => t.amount) - sum(moneyOut, (t) => t.amount);
  const crossChecks = [
    { name: 'charged = customer_funds', stripe: charged, ledger: Number(rows[0].customer_funds) },
    { name: 'transfers − reversals − repaid = paid_out', stripe: transferred - reversed - recovered, ledger: b('paid_out') },
    { name: 'refunds = refunded', stripe: refunded, ledger: b('refunded') },
    { name: 'lost chargebacks = chargeback_loss', stripe: lost, ledger: b('chargeback_loss') },
    { name: 'escrows hold = escrow_held', stripe: held, ledger: b('escrow_held') },
    { name: 'holdbacks − their Transfers = warranty_held', stripe: Number(rows[0].holdbacks) - holdbackTransfers, ledger: b('warranty_held') },
  ];
  return { moneyIn, moneyOut, difference, crossChecks };
}

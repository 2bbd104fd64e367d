import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { LedgerReport } from '../ledger-report.service';

export class AccountBalancesResponse {
  @ApiProperty({ description: 'Money held for requests in progress.' }) escrow_held!: number;
  @ApiProperty({ description: 'Platform fees earned on releases, net of partners’ revenue shares.' }) platform_revenue!: number;
  @ApiProperty({ description: 'Released to experts, not yet transferred.' }) expert_payable!: number;
  @ApiProperty({ description: 'Partners’ revenue shares of released fees, not yet transferred.' }) partner_payable!: number;
  @ApiProperty({ description: 'Transferred to connected accounts: experts’ payouts and partners’ shares.' }) paid_out!: number;
  @ApiProperty({ description: 'Returned to customers (a failed refund is reversed out of it).' }) refunded!: number;
  @ApiProperty({ description: "Taken back by customers' banks in lost chargebacks (not refunds)." }) chargeback_loss!: number;
  @ApiProperty({ description: 'Owed back by experts after a chargeback lost once they were paid (negative while owed).' }) expert_receivable!: number;
  @ApiProperty({ description: 'Owed back by partners after a chargeback lost once their share was paid (negative while owed).' }) partner_receivable!: number;
  @ApiProperty({ description: 'Refunds that failed and were written off: owed to customers, no longer held.' }) unclaimed_refunds!: number;
  @ApiProperty({ description: "Fix-warranty holdbacks: the part of experts' payouts held until their warranty ends, not yet paid or refunded." }) warranty_held!: number;
}

export class CurrencyBalancesResponse {
  @ApiProperty({ type: AccountBalancesResponse }) usd!: AccountBalancesResponse;
  @ApiProperty({ type: AccountBalancesResponse }) eur!: AccountBalancesResponse;
  @ApiProperty({ type: AccountBalancesResponse }) gbp!: AccountBalancesResponse;
}

export class LedgerViolationResponse {
  @ApiProperty({ example: 'escrow_held_mismatch' }) code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ format: 'uuid' }) escrowId?: string;
  @ApiPropertyOptional({ example: 'ch_3NqY...' }) stripeId?: string;
}

/** GET /v1/admin/ledger. */
export class LedgerReportResponse {
  @ApiProperty({ type: CurrencyBalancesResponse, description: 'Balance of each account, in minor units, per currency.' })
  balances!: CurrencyBalancesResponse;

  @ApiProperty({ description: 'True when no invariant is violated.' })
  ok!: boolean;

  @ApiProperty({ type: [LedgerViolationResponse] })
  violations!: LedgerViolationResponse[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When reconciliation with Stripe last finished.' })
  reconciledAt!: string | null;

  static from(report: LedgerReport): LedgerReportResponse {
    return {
      balances: report.balances,
      ok: report.ok,
      violations: report.violations.map((v) => ({ ...v })),
      reconciledAt: report.reconciledAt?.toISOString() ?? null,
    };
  }
}

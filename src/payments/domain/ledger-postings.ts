/**
 * The double-entry ledger's accounts and the postings of each money movement (ISSUE4). Every
 * posting is one currency and sums to zero (M1). Signs: a positive balance on escrow_held,
 * platform_revenue, expert_payable, partner_payable, paid_out and refunded is money in that
 * bucket; customer_funds is the contra account customers' payments come from (its balance is
 * negative). paid_out is every Transfer to a connected account, the expert's and the partner's
 * alike: both leave the same charge, so "transfers + refunds never exceed the charge" (M2) reads
 * one account; the transaction's kind (payout, partner_payout) says whose it was.
 */

export const LEDGER_ACCOUNTS = ['customer_funds', 'escrow_held', 'platform_revenue', 'expert_payable', 'partner_payable', 'paid_out', 'refunded'] as const;
export type LedgerAccount = (typeof LEDGER_ACCOUNTS)[number];

/** The balances GET /v1/admin/ledger reports (customer_funds is their negated sum). */
export const REPORTED_ACCOUNTS = ['escrow_held', 'platform_revenue', 'expert_payable', 'partner_payable', 'paid_out', 'refunded'] as const;
export type ReportedAccount = (typeof REPORTED_ACCOUNTS)[number];

/** payout: the expert's Transfer; partner_payout: the partner's revenue-share Transfer (M3: one of each per escrow at most). */
export const LEDGER_KINDS = ['funding', 'release', 'payout', 'partner_payout', 'refund'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface PostingLine {
  readonly account: LedgerAccount;
  readonly amount: number;
}

/** The charge lands in escrow. */
export function fundingLines(amount: number): PostingLine[] {
  return [
    { account: 'customer_funds', amount: -amount },
    { account: 'escrow_held', amount },
  ];
}

/**
 * Held money leaves escrow: the fee is earned — less the partner's share, owed to the partner
 * (M9: platform fee = partner share + platform net) — and the rest is owed to the expert until
 * transferred. `platformNet` is the fee the platform keeps after the share.
 */
export function releaseLines(released: number, platformNet: number, expertPayout: number, partnerShare = 0): PostingLine[] {
  return dropZero([
    { account: 'escrow_held', amount: -released },
    { account: 'platform_revenue', amount: platformNet },
    { account: 'partner_payable', amount: partnerShare },
    { account: 'expert_payable', amount: expertPayout },
  ]);
}

/** The Transfer to the expert's connected account settles what is owed. */
export function payoutLines(amount: number): PostingLine[] {
  return [
    { account: 'expert_payable', amount: -amount },
    { account: 'paid_out', amount },
  ];
}

/** The Transfer to the partner's connected account settles its revenue share. */
export function partnerPayoutLines(amount: number): PostingLine[] {
  return [
    { account: 'partner_payable', amount: -amount },
    { account: 'paid_out', amount },
  ];
}

/** Held money goes back to the customer. */
export function refundLines(amount: number): PostingLine[] {
  return [
    { account: 'escrow_held', amount: -amount },
    { account: 'refunded', amount },
  ];
}

function dropZero(lines: PostingLine[]): PostingLine[] {
  return lines.filter((line) => line.amount !== 0);
}

/**
 * Why a posting may not be written, or null: at least two lines, known accounts, non-zero safe
 * integers, and a sum of exactly zero. The database checks the sum again at commit.
 */
export function postingProblem(lines: readonly PostingLine[]): string | null {
  if (lines.length < 2) return 'a posting needs at least two lines';
  let sum = 0;
  for (const line of lines) {
    if (!(LEDGER_ACCOUNTS as readonly string[]).includes(line.account)) return `unknown account ${String(line.account)}`;
    if (!Number.isSafeInteger(line.amount) || line.amount === 0) return `line ${line.account} has amount ${line.amount}`;
    sum += line.amount;
  }
  return sum === 0 ? null : `lines sum to ${sum}, not 0`;
}

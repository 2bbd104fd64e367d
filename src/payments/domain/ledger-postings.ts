/**
 * The double-entry ledger's accounts and the postings of each money movement (ISSUE4). Every
 * posting is one currency and sums to zero (M1). Signs: a positive balance on escrow_held,
 * platform_revenue, expert_payable, partner_payable, paid_out and refunded is money in that
 * bucket; customer_funds is the contra account customers' payments come from (its balance is
 * negative). paid_out is every Transfer to a connected account, the expert's and the partner's
 * alike: both leave the same charge, so "transfers + refunds never exceed the charge" (M2) reads
 * one account; the transaction's kind (payout, partner_payout) says whose it was.
 *
 * After the money moved (issue 9): chargeback_loss is money the customer's bank took back (not a
 * refund); unclaimed_refunds is money owed to a customer whose refund failed for good. The two
 * receivables are money the platform advanced to the bank for an expert or a partner and has to
 * recover: like customer_funds they are sources, so their balance is negative while something is
 * owed, and a recovered reversal brings them back towards zero.
 */

export const LEDGER_ACCOUNTS = [
  'customer_funds',
  'escrow_held',
  'platform_revenue',
  'expert_payable',
  'partner_payable',
  'paid_out',
  'refunded',
  'chargeback_loss',
  'expert_receivable',
  'partner_receivable',
  'unclaimed_refunds',
  'warranty_held',
] as const;
export type LedgerAccount = (typeof LEDGER_ACCOUNTS)[number];

/** The balances GET /v1/admin/ledger reports (customer_funds is their negated sum). */
export const REPORTED_ACCOUNTS = [
  'escrow_held',
  'platform_revenue',
  'expert_payable',
  'partner_payable',
  'paid_out',
  'refunded',
  'chargeback_loss',
  'expert_receivable',
  'partner_receivable',
  'unclaimed_refunds',
  'warranty_held',
] as const;
export type ReportedAccount = (typeof REPORTED_ACCOUNTS)[number];

/**
 * payout: the expert's Transfer; partner_payout: the partner's revenue-share Transfer (M3: one of
 * each per escrow at most); chargeback: a lost chargeback's cost; reversal: money taken back from
 * a connected account; refund_failed: a refund Stripe could not make, back in escrow; write_off:
 * a failed refund given up (owed to the customer), or a receivable the platform absorbs; recovery:
 * a receivable repaid outside Stripe.
 */
export const LEDGER_KINDS = ['funding', 'release', 'payout', 'partner_payout', 'refund', 'chargeback', 'reversal', 'refund_failed', 'write_off', 'recovery', 'holdback_payout'] as const;
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
/** A release; with a warranty, `holdback` of the expert's payout stays on the platform (warranty_held) until it ends. */
export function releaseLines(released: number, platformNet: number, expertPayout: number, partnerShare = 0, holdback = 0): PostingLine[] {
  return dropZero([
    { account: 'escrow_held', amount: -released },
    { account: 'platform_revenue', amount: platformNet },
    { account: 'partner_payable', amount: partnerShare },
    { account: 'expert_payable', amount: expertPayout - holdback },
    { account: 'warranty_held', amount: holdback },
  ]);
}

/** The holdback's own Transfer to the expert once the warranty is over (M3: transfer:holdback:<escrowId>). */
export function holdbackPayoutLines(amount: number): PostingLine[] {
  return [
    { account: 'warranty_held', amount: -amount },
    { account: 'paid_out', amount },
  ];
}

/** Part of the holdback returned to the customer (a warranty dispute's refund or split). */
export function holdbackRefundLines(amount: number): PostingLine[] {
  return [
    { account: 'warranty_held', amount: -amount },
    { account: 'refunded', amount },
  ];
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

/** A refund Stripe failed: the money is back where it came from — in escrow, or in the warranty holdback (the refund posting's mirror). */
export function refundFailedLines(amount: number, backTo: 'escrow_held' | 'warranty_held' = 'escrow_held'): PostingLine[] {
  return [
    { account: 'refunded', amount: -amount },
    { account: backTo, amount },
  ];
}

/** A failed refund given up: still owed to the customer, no longer held (in escrow, or in the holdback). */
export function unclaimedRefundLines(amount: number, from: 'escrow_held' | 'warranty_held' = 'escrow_held'): PostingLine[] {
  return [
    { account: from, amount: -amount },
    { account: 'unclaimed_refunds', amount },
  ];
}

/** A lost chargeback paid from money still held in escrow. */
export function chargebackFromHeldLines(amount: number): PostingLine[] {
  return [
    { account: 'escrow_held', amount: -amount },
    { account: 'chargeback_loss', amount },
  ];
}

/** Who pays a lost chargeback's part beyond the held money, and whether they were paid already. */
export interface ReleasedLoss {
  readonly expert: number;
  /** Of the expert's part, what comes out of a holdback still on the platform (warranty_held). */
  readonly fromHoldback?: number;
  readonly partner: number;
  readonly platform: number;
  /** The expert's payout left already (paid, transferring, reversed): owed back, not less to pay. */
  readonly expertPaid: boolean;
  readonly partnerPaid: boolean;
}

/**
 * A lost chargeback's part beyond the held money: the loss, given up from the platform's net fee,
 * and from the expert's and partner's parts — less to pay while still owed, owed back once paid.
 */
export function chargebackFromReleasedLines(loss: ReleasedLoss): PostingLine[] {
  return dropZero([
    { account: 'chargeback_loss', amount: loss.expert + loss.partner + loss.platform },
    { account: 'platform_revenue', amount: -loss.platform },
    { account: 'warranty_held', amount: -(loss.fromHoldback ?? 0) },
    { account: loss.expertPaid ? 'expert_receivable' : 'expert_payable', amount: -(loss.expert - (loss.fromHoldback ?? 0)) },
    { account: loss.partnerPaid ? 'partner_receivable' : 'partner_payable', amount: -loss.partner },
  ]);
}

/** Money taken back from a connected account by a Transfer reversal: the debt shrinks by it. */
export function reversalLines(payee: 'expert' | 'partner' | 'holdback', amount: number): PostingLine[] {
  return [
    { account: 'paid_out', amount: -amount },
    { account: payee === 'partner' ? 'partner_receivable' : 'expert_receivable', amount },
  ];
}

/** A receivable settled by an admin: repaid outside Stripe (recovered) or absorbed by the platform (write_off). */
export function receivableSettledLines(payee: 'expert' | 'partner' | 'holdback', amount: number, how: 'recovered' | 'write_off'): PostingLine[] {
  return [
    { account: how === 'recovered' ? 'paid_out' : 'platform_revenue', amount: -amount },
    { account: payee === 'partner' ? 'partner_receivable' : 'expert_receivable', amount },
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

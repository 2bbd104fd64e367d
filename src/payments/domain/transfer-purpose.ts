/**
 * Whose money a Stripe Transfer of an escrow carries (M3: at most one Transfer per escrow and
 * purpose, each with its own idempotency key). Pure: no Nest, no Stripe SDK.
 */
export const TRANSFER_PURPOSES = ['expert', 'partner', 'holdback'] as const;
export type TransferPurpose = (typeof TRANSFER_PURPOSES)[number];

/**
 * The key of the escrow's Transfer for this purpose: `transfer:<escrowId>` for the expert (as
 * before partners existed), `transfer:partner:<escrowId>` for the partner's share,
 * `transfer:holdback:<escrowId>` for the expert's warranty holdback once the warranty is over. It is both the
 * Stripe idempotency key and the reference of the ledger posting that records the Transfer.
 */
export function transferKey(purpose: TransferPurpose, escrowId: string): string {
  return purpose === 'expert' ? `transfer:${escrowId}` : `transfer:${purpose}:${escrowId}`;
}

/**
 * A Transfer's purpose from its metadata. The expert's Transfers carry none (their parameters are
 * kept as they were, so a retry under the same idempotency key still matches); every other
 * purpose names itself. An unknown purpose is nobody's payout here (reconciliation reports it).
 */
export function transferPurpose(metadata: Readonly<Record<string, string>>): TransferPurpose | 'unknown' {
  const named = metadata.purpose;
  if (named === undefined) return 'expert';
  return (TRANSFER_PURPOSES as readonly string[]).includes(named) ? (named as TransferPurpose) : 'unknown';
}

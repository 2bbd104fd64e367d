/**
 * What a lost chargeback costs whom (contract §3 "chargeback's life", RELIABILITY M6). The bank
 * takes back the disputed amount; money still held in escrow pays it first. Whatever it takes
 * beyond that was already released, and is charged back to those it went to, in the proportions
 * the release gave them: the expert's payout and the partner's share — as less to pay while still
 * owed, as money to reverse or recover once paid — and the platform's net fee, which it gives up.
 * Integer minor units only; the rounding remainder falls on the platform. Pure.
 */

export interface ReleasedParts {
  /** What the release paid the expert (or owes them while the payout waits). */
  readonly expertPayout: number;
  /** The partner's share of the fee kept (0 without a partner). */
  readonly partnerShare: number;
  /** The platform's net fee. */
  readonly platformNet: number;
}

export interface ChargebackAllocation {
  /** Taken from money still held in escrow. */
  readonly fromHeld: number;
  /** Charged to the expert's payout. */
  readonly expert: number;
  /** Charged to the partner's share. */
  readonly partner: number;
  /** Given up from the platform's net fee. */
  readonly platform: number;
}

/**
 * Splits a lost amount: `held` first, the rest over the released parts pro rata (floor for the
 * expert and the partner, the remainder to the platform). `lost` never exceeds what was charged
 * (held + released), so no part goes negative.
 */
export function allocateChargebackLoss(lost: number, held: number, released: ReleasedParts): ChargebackAllocation {
  const fromHeld = Math.min(Math.max(0, held), lost);
  const rest = lost - fromHeld;
  const total = released.expertPayout + released.partnerShare + released.platformNet;
  if (
    total === 0 ||
    // Stryker disable next-line ConditionalExpression: with rest 0 every pro rata share is 0 as well, so the early return only saves work
    rest === 0
  ) {
    return { fromHeld, expert: 0, partner: 0, platform: rest };
  }
  const share = (part: number) => Number((BigInt(rest) * BigInt(part)) / BigInt(total));
  const expert = share(released.expertPayout);
  const partner = share(released.partnerShare);
  return { fromHeld, expert, partner, platform: rest - expert - partner };
}

/**
 * A reversal takes back from a connected account what the account still holds of it, never more
 * than is owed: `min(owed, available)` (Stripe refuses a reversal its balance cannot cover).
 */
export function reversalAmount(owed: number, available: number, alreadyReversed = 0): number {
  return Math.max(0, Math.min(owed - alreadyReversed, available));
}

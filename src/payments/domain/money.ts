/**
 * Money rules (contract §1): integer minor units, one of three currencies, 500..1,000,000 per
 * request, and a platform fee that never loses or invents a cent. Pure: no Nest, no database.
 */

export const CURRENCIES = ['usd', 'eur', 'gbp'] as const;
export type Currency = (typeof CURRENCIES)[number];

export interface Money {
  readonly amount: number;
  readonly currency: Currency;
}

export const MIN_AMOUNT = 500;
export const MAX_AMOUNT = 1_000_000;
export const BPS_DENOMINATOR = 10_000;
export const MAX_FEE_BPS = 10_000;

/** A refusal the caller turns into `DomainError(code, message, param)` (a 400); `param` is relative ("amount"). */
export interface MoneyFailure {
  readonly ok: false;
  readonly code: 'missing_field' | 'invalid_field';
  readonly param: 'amount' | 'currency' | 'refundAmount';
  readonly message: string;
}

export type MoneyCheck = { readonly ok: true; readonly value: Money } | MoneyFailure;

export function isCurrency(value: unknown): value is Currency {
  return CURRENCIES.some((currency) => currency === value);
}

/**
 * Checks untrusted input against V2: amount an integer 500..1,000,000 (no 12.5, no "1000"),
 * currency exactly `usd|eur|gbp` (no "USD"). The first bad field is named, amount first.
 */
export function checkMoney(input: unknown): MoneyCheck {
  const value = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const { amount, currency } = value;
  if (amount === undefined || amount === null) return moneyFailure('missing_field', 'amount', '"amount" is required.');
  if (
    !Number.isInteger(amount) ||
    // Stryker disable next-line ConditionalExpression: Number.isInteger is already false for anything but a number; this narrows the type
    typeof amount !== 'number' ||
    amount < MIN_AMOUNT ||
    amount > MAX_AMOUNT
  ) {
    return moneyFailure(
      'invalid_field',
      'amount',
      `"amount" must be an integer number of minor units from ${MIN_AMOUNT} to ${MAX_AMOUNT}.`,
    );
  }
  if (currency === undefined || currency === null) {
    return moneyFailure('missing_field', 'currency', '"currency" is required.');
  }
  if (!isCurrency(currency)) {
    return moneyFailure('invalid_field', 'currency', `"currency" must be one of ${CURRENCIES.join(', ')}.`);
  }
  return { ok: true, value: { amount, currency } };
}

function moneyFailure(code: MoneyFailure['code'], param: MoneyFailure['param'], message: string): MoneyFailure {
  return { ok: false, code, param, message };
}

export interface FeeSplit {
  readonly platformFee: number;
  readonly expertPayout: number;
}

/**
 * Largest amount for which `amount * feeBps` is still an exact double: the product must stay
 * ≤ Number.MAX_SAFE_INTEGER (2^53 − 1 ≈ 9.007e15) and feeBps ≤ 10,000, so amount ≤ 9.007e11.
 * The contract's amounts (≤ 1,000,000) give products ≤ 1e10, five orders of magnitude inside.
 */
export const MAX_SPLITTABLE_AMOUNT = Math.floor(Number.MAX_SAFE_INTEGER / MAX_FEE_BPS);

/**
 * platformFee = floor(amount × feeBps / 10000), expertPayout = amount − platformFee (contract §1).
 *
 * Exactness: amount and feeBps are integers with amount × feeBps ≤ 2^53 − 1, so the product is an
 * exact double; `%` of exact integers is exact, so `product − product % 10000` is an exact
 * multiple of 10000 and dividing it by 10000 is exact too. No rounding happens anywhere, hence
 * fee + payout == amount and 0 ≤ fee ≤ amount (since feeBps ≤ 10000). P2 checks it against BigInt.
 *
 * Throws RangeError on inputs outside that domain: they are programming errors, validated earlier.
 */
export function splitFee(amount: number, feeBps: number): FeeSplit {
  assertAmount(amount, 'amount');
  assertBps(feeBps, 'feeBps');
  const platformFee = floorOfBps(amount, feeBps);
  return { platformFee, expertPayout: amount - platformFee };
}

/** floor(amount × bps / 10000), exactly (see splitFee for why no rounding can happen). */
function floorOfBps(amount: number, bps: number): number {
  const product = amount * bps;
  return (product - (product % BPS_DENOMINATOR)) / BPS_DENOMINATOR;
}

export interface PartnerShareSplit {
  /** What the partner is owed: floor(platformFee × shareBps / 10000). */
  readonly partnerShare: number;
  /** What the platform keeps of its fee. */
  readonly platformNet: number;
}

/**
 * A partner's revenue share of a platform fee (contract "Partners": `revenueShareBps` of the fee
 * actually kept): partnerShare = floor(platformFee × shareBps / 10000), platformNet = the rest, so
 * partnerShare + platformNet == platformFee and 0 ≤ partnerShare ≤ platformFee (M9). The same
 * exact integer arithmetic as splitFee: the floor favours the platform, never invents a cent.
 */
export function splitPartnerShare(platformFee: number, shareBps: number): PartnerShareSplit {
  assertAmount(platformFee, 'platformFee');
  assertBps(shareBps, 'shareBps');
  const partnerShare = floorOfBps(platformFee, shareBps);
  return { partnerShare, platformNet: platformFee - partnerShare };
}

/**
 * The fix warranty's holdback: floor(expertPayout × holdbackBps / 10000) of the expert's payout
 * stays on the platform while the warranty runs (WARRANTY_HOLDBACK_BPS); the floor favours the
 * expert, who gets the rest at once. 0 ≤ holdback ≤ expertPayout.
 */
export function holdbackOf(expertPayout: number, holdbackBps: number): number {
  assertAmount(expertPayout, 'expertPayout');
  assertBps(holdbackBps, 'holdbackBps');
  return floorOfBps(expertPayout, holdbackBps);
}

export interface RefundSplit {
  readonly refundAmount: number;
  /** The part of the charge that goes the expert's way, before the fee. */
  readonly releasedAmount: number;
  readonly platformFee: number;
  readonly expertPayout: number;
}

export type RefundSplitResult = { readonly ok: true; readonly value: RefundSplit } | MoneyFailure;

/**
 * A dispute split: the customer gets `refundAmount` back, the rest is released to the expert.
 * Fee rule: the platform takes its fee on the released part only, floored, exactly as splitFee
 * does for a full release — the customer never pays a fee on money they get back, and a split
 * can never earn the platform more than a full release would. So
 * refundAmount + platformFee + expertPayout == amount.
 *
 * refundAmount must be 1..amount−1 (a whole refund is `refund`, a zero refund is `release`);
 * anything else is a 400 `invalid_field` on `refundAmount`.
 */
export function splitRefund(amount: number, refundAmount: number, feeBps: number): RefundSplitResult {
  assertAmount(amount, 'amount');
  if (!Number.isInteger(refundAmount) || refundAmount < 1 || refundAmount > amount - 1) {
    return moneyFailure(
      'invalid_field',
      'refundAmount',
      `"refundAmount" must be an integer from 1 to ${amount - 1} (the held amount less one).`,
    );
  }
  const releasedAmount = amount - refundAmount;
  const { platformFee, expertPayout } = splitFee(releasedAmount, feeBps);
  return { ok: true, value: { refundAmount, releasedAmount, platformFee, expertPayout } };
}

function assertBps(bps: number, name: string): void {
  if (!Number.isInteger(bps) || bps < 0 || bps > MAX_FEE_BPS) throw new RangeError(`${name} must be an integer 0..${MAX_FEE_BPS}, got ${bps}`);
}

function assertAmount(amount: number, name: string): void {
  if (!Number.isSafeInteger(amount) || amount < 0 || amount > MAX_SPLITTABLE_AMOUNT) {
    throw new RangeError(`${name} must be an integer 0..${MAX_SPLITTABLE_AMOUNT}, got ${amount}`);
  }
}

import { ERROR_CODES } from '../../common/errors/error-codes';
import fc from 'fast-check';
import {
  checkMoney,
  MAX_AMOUNT,
  MAX_FEE_BPS,
  MAX_SPLITTABLE_AMOUNT,
  MIN_AMOUNT,
  splitFee,
  splitPartnerShare,
  splitRefund,
} from './money';

/** The reference: the contract's formula in arbitrary-precision integers. */
function referenceFee(amount: number, bps: number): number {
  return Number((BigInt(amount) * BigInt(bps)) / 10_000n);
}

/**
 * floor's definition, fee·10000 ≤ amount·bps < (fee+1)·10000, for the exhaustive loops: every
 * product here is ≤ 1e10 + 1e4, so these comparisons are exact integer arithmetic and fast.
 */
function isFloorFee(amount: number, bps: number, fee: number): boolean {
  const product = amount * bps;
  return Number.isInteger(fee) && fee * 10_000 <= product && product < (fee + 1) * 10_000;
}

/**
 * `npm run mutation` runs this file once per mutant of money.ts, more than a hundred times: there
 * the loops over a million amounts take every 101st and the random runs stop at 2,000 — still
 * thousands of cases per rule, against minutes per mutant. `npm test` checks every case.
 */
const MUTATION_RUN = process.env.FIXBID_MUTATION_RUN === '1';
const AMOUNT_STEP = MUTATION_RUN ? 101 : 1;
const runs = (numRuns: number) => ({ numRuns: MUTATION_RUN ? Math.min(numRuns, 2_000) : numRuns });

const amounts = fc.integer({ min: MIN_AMOUNT, max: MAX_AMOUNT });
const rates = fc.integer({ min: 0, max: MAX_FEE_BPS });

describe('splitFee', () => {
  it('takes the default 15 % from the expert side', () => {
    expect(splitFee(10_000, 1500)).toEqual({ platformFee: 1500, expertPayout: 8500 });
    expect(splitFee(999, 1500)).toEqual({ platformFee: 149, expertPayout: 850 }); // 149.85 floored
    expect(splitFee(500, 0)).toEqual({ platformFee: 0, expertPayout: 500 });
    expect(splitFee(MAX_AMOUNT, MAX_FEE_BPS)).toEqual({ platformFee: MAX_AMOUNT, expertPayout: 0 });
  });

  it('P2 fee + payout == amount, 0 ≤ fee ≤ amount, fee == floor(amount·bps/10000) (random pairs)', () => {
    fc.assert(
      fc.property(amounts, rates, (amount, bps) => {
        // Plain booleans rather than expect(): 20,000 runs stay fast, and fast-check reports the pair.
        const { platformFee, expertPayout } = splitFee(amount, bps);
        return (
          platformFee + expertPayout === amount &&
          platformFee >= 0 &&
          platformFee <= amount &&
          Number.isInteger(platformFee) &&
          platformFee === referenceFee(amount, bps)
        );
      }),
      runs(200_000),
    );
  });

  // 10^10 pairs are too many for a unit run, so every amount is checked at the rates that matter
  // and every rate at the amounts that matter; the exactness argument in money.ts covers the rest.
  it.each([0, 1, 1500, 3333, 6667, 9999, 10_000])('P2 every amount 500..1,000,000 at %i bps', (bps) => {
    let mismatches = 0;
    for (let amount = MIN_AMOUNT; amount <= MAX_AMOUNT; amount += AMOUNT_STEP) {
      const { platformFee, expertPayout } = splitFee(amount, bps);
      const exact = isFloorFee(amount, bps, platformFee) && platformFee + expertPayout === amount;
      if (!exact || expertPayout < 0) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it.each([MIN_AMOUNT, 501, 999, 9_999, 10_001, 123_457, 999_999, MAX_AMOUNT])(
    'P2 every rate 0..10000 bps at amount %i',
    (amount) => {
      let mismatches = 0;
      for (let bps = 0; bps <= MAX_FEE_BPS; bps++) {
        const { platformFee, expertPayout } = splitFee(amount, bps);
        if (!isFloorFee(amount, bps, platformFee) || platformFee + expertPayout !== amount) mismatches++;
      }
      expect(mismatches).toBe(0);
    },
  );

  it('stays exact up to the largest amount it accepts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_SPLITTABLE_AMOUNT }), rates, (amount, bps) => {
        const { platformFee, expertPayout } = splitFee(amount, bps);
        expect(platformFee).toBe(referenceFee(amount, bps));
        expect(platformFee + expertPayout).toBe(amount);
      }),
    );
  });

  it('accepts the largest splittable amount itself, exactly, at every rate bound', () => {
    expect(splitFee(MAX_SPLITTABLE_AMOUNT, MAX_FEE_BPS)).toEqual({ platformFee: MAX_SPLITTABLE_AMOUNT, expertPayout: 0 });
    expect(splitFee(MAX_SPLITTABLE_AMOUNT, 0)).toEqual({ platformFee: 0, expertPayout: MAX_SPLITTABLE_AMOUNT });
    expect(splitFee(MAX_SPLITTABLE_AMOUNT, 1).platformFee).toBe(referenceFee(MAX_SPLITTABLE_AMOUNT, 1));
    expect(splitPartnerShare(MAX_SPLITTABLE_AMOUNT, 1).partnerShare).toBe(referenceFee(MAX_SPLITTABLE_AMOUNT, 1));
  });

  it.each([
    [12.5, 1500],
    [-1, 1500],
    [Number.NaN, 1500],
    [MAX_SPLITTABLE_AMOUNT + 1, 1500],
    [1000, -1],
    [1000, 10_001],
    [1000, 15.5],
  ])('refuses amount %p at %p bps (a programming error)', (amount, bps) => {
    expect(() => splitFee(amount, bps)).toThrow(RangeError);
  });

  it('a programming error names the argument, its range and the value it got', () => {
    expect(() => splitFee(12.5, 1500)).toThrow(`amount must be an integer 0..${MAX_SPLITTABLE_AMOUNT}, got 12.5`);
    expect(() => splitFee(1000, 10_001)).toThrow('feeBps must be an integer 0..10000, got 10001');
    expect(() => splitPartnerShare(-1, 2000)).toThrow(`platformFee must be an integer 0..${MAX_SPLITTABLE_AMOUNT}, got -1`);
    expect(() => splitPartnerShare(1500, -1)).toThrow('shareBps must be an integer 0..10000, got -1');
    expect(() => splitRefund(-1, 1, 1500)).toThrow(`amount must be an integer 0..${MAX_SPLITTABLE_AMOUNT}, got -1`);
  });
});

describe('splitPartnerShare (M9: platform fee = partner share + platform net)', () => {
  const fees = fc.integer({ min: 0, max: MAX_AMOUNT });

  it('takes the share from the fee, floored', () => {
    expect(splitPartnerShare(1500, 2000)).toEqual({ partnerShare: 300, platformNet: 1200 });
    expect(splitPartnerShare(149, 2000)).toEqual({ partnerShare: 29, platformNet: 120 }); // 29.8 floored
    expect(splitPartnerShare(1500, 0)).toEqual({ partnerShare: 0, platformNet: 1500 });
    expect(splitPartnerShare(0, 10_000)).toEqual({ partnerShare: 0, platformNet: 0 });
    expect(splitPartnerShare(1500, 10_000)).toEqual({ partnerShare: 1500, platformNet: 0 });
  });

  it('M9 share + platform net == fee, 0 ≤ share ≤ fee, share == floor(fee·bps/10000) (random fee 0..1,000,000 and rate 0..10000)', () => {
    fc.assert(
      fc.property(fees, rates, (fee, bps) => {
        const { partnerShare, platformNet } = splitPartnerShare(fee, bps);
        return (
          partnerShare + platformNet === fee &&
          partnerShare >= 0 &&
          partnerShare <= fee &&
          Number.isInteger(partnerShare) &&
          partnerShare === referenceFee(fee, bps)
        );
      }),
      runs(200_000),
    );
  });

  // As for P2: every fee at the rates that matter, every rate at the fees that matter.
  it.each([0, 1, 500, 2000, 3333, 6667, 9999, 10_000])('M9 every fee 0..1,000,000 at %i bps', (bps) => {
    let mismatches = 0;
    for (let fee = 0; fee <= MAX_AMOUNT; fee += AMOUNT_STEP) {
      const { partnerShare, platformNet } = splitPartnerShare(fee, bps);
      if (!isFloorFee(fee, bps, partnerShare) || partnerShare + platformNet !== fee || platformNet < 0) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it.each([0, 1, 75, 149, 1500, 9_999, 150_000, MAX_AMOUNT])('M9 every rate 0..10000 bps at fee %i', (fee) => {
    let mismatches = 0;
    for (let bps = 0; bps <= MAX_FEE_BPS; bps++) {
      const { partnerShare, platformNet } = splitPartnerShare(fee, bps);
      if (!isFloorFee(fee, bps, partnerShare) || partnerShare + platformNet !== fee || platformNet < 0) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('M9 with the fee split first: partner share + platform net + expert payout == amount, for every amount, fee rate and share rate', () => {
    fc.assert(
      fc.property(amounts, rates, rates, (amount, feeBps, shareBps) => {
        const { platformFee, expertPayout } = splitFee(amount, feeBps);
        const { partnerShare, platformNet } = splitPartnerShare(platformFee, shareBps);
        return partnerShare + platformNet + expertPayout === amount && partnerShare <= platformFee && platformNet >= 0;
      }),
      runs(50_000),
    );
  });

  it.each([
    [12.5, 2000],
    [-1, 2000],
    [MAX_SPLITTABLE_AMOUNT + 1, 2000],
    [1500, -1],
    [1500, 10_001],
    [1500, 0.5],
  ])('refuses fee %p at %p bps (a programming error)', (fee, bps) => {
    expect(() => splitPartnerShare(fee, bps)).toThrow(RangeError);
  });
});

describe('splitRefund', () => {
  it('charges the fee on the released part only', () => {
    expect(splitRefund(10_000, 4_000, 1500)).toEqual({
      ok: true,
      value: { refundAmount: 4_000, releasedAmount: 6_000, platformFee: 900, expertPayout: 5_100 },
    });
  });

  it('M2 refund + fee + payout == amount; the fee never exceeds a full release fee', () => {
    fc.assert(
      fc.property(
        amounts.chain((amount) => fc.tuple(fc.constant(amount), fc.integer({ min: 1, max: amount - 1 }))),
        rates,
        ([amount, refund], bps) => {
          const result = splitRefund(amount, refund, bps);
          if (!result.ok) throw new Error(result.message);
          const { refundAmount, releasedAmount, platformFee, expertPayout } = result.value;
          expect(refundAmount + platformFee + expertPayout).toBe(amount);
          expect(releasedAmount).toBe(amount - refund);
          expect(platformFee).toBe(referenceFee(releasedAmount, bps));
          expect(platformFee).toBeLessThanOrEqual(splitFee(amount, bps).platformFee);
          expect(expertPayout).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it.each([0, 10_000, 10_001, -5, 12.5])('refundAmount %p of 10000 → 400 invalid_field on refundAmount', (refund) => {
    const result = splitRefund(10_000, refund, 1500);
    expect(result).toMatchObject({
      ok: false,
      code: 'invalid_field',
      param: 'refundAmount',
    });
    if (!result.ok) expect(ERROR_CODES[result.code]).toBe(400);
  });

  it('the refusal tells the caller the range a refund may take (1 to the amount less one)', () => {
    expect(splitRefund(10_000, 10_000, 1500)).toMatchObject({ ok: false, message: '"refundAmount" must be an integer from 1 to 9999 (the held amount less one).' });
  });
});

describe('checkMoney (V2)', () => {
  it.each([
    [{ amount: 500, currency: 'usd' }],
    [{ amount: 1_000_000, currency: 'eur' }],
    [{ amount: 4242, currency: 'gbp' }],
  ])('accepts %j', (input) => {
    expect(checkMoney(input)).toEqual({ ok: true, value: input });
  });

  it.each([
    ['B2 fractional', { amount: 12.5, currency: 'usd' }, 'invalid_field', 'amount'],
    ['B2 string', { amount: '1000', currency: 'usd' }, 'invalid_field', 'amount'],
    ['B2 negative', { amount: -1, currency: 'usd' }, 'invalid_field', 'amount'],
    ['B2 below minimum', { amount: 499, currency: 'usd' }, 'invalid_field', 'amount'],
    ['B2 above maximum', { amount: 1_000_001, currency: 'usd' }, 'invalid_field', 'amount'],
    ['NaN', { amount: Number.NaN, currency: 'usd' }, 'invalid_field', 'amount'],
    ['missing amount', { currency: 'usd' }, 'missing_field', 'amount'],
    ['null amount', { amount: null, currency: 'usd' }, 'missing_field', 'amount'],
    ['B3 upper case', { amount: 1000, currency: 'USD' }, 'invalid_field', 'currency'],
    ['B3 unsupported', { amount: 1000, currency: 'jpy' }, 'invalid_field', 'currency'],
    ['missing currency', { amount: 1000 }, 'missing_field', 'currency'],
    ['null currency', { amount: 1000, currency: null }, 'missing_field', 'currency'],
    ['not an object', 'usd 1000', 'missing_field', 'amount'],
    ['null', null, 'missing_field', 'amount'],
  ])('%s (%j) → 400 %s on %s', (_name, input, code, param) => {
    const result = checkMoney(input);
    expect(result).toMatchObject({ ok: false, code, param });
    if (!result.ok) expect(ERROR_CODES[result.code]).toBe(400);
  });

  it('each refusal says what the field must be, in words a client can show', () => {
    expect(checkMoney({ currency: 'usd' })).toMatchObject({ message: '"amount" is required.' });
    expect(checkMoney({ amount: 499, currency: 'usd' })).toMatchObject({ message: '"amount" must be an integer number of minor units from 500 to 1000000.' });
    expect(checkMoney({ amount: 1000 })).toMatchObject({ message: '"currency" is required.' });
    expect(checkMoney({ amount: 1000, currency: 'jpy' })).toMatchObject({ message: '"currency" must be one of usd, eur, gbp.' });
  });
});

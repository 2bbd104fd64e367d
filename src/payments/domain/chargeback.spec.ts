import fc from 'fast-check';
import { allocateChargebackLoss, reversalAmount } from './chargeback';

describe('a lost chargeback: who pays (M6)', () => {
  const parts = { expertPayout: 8500, partnerShare: 300, platformNet: 1200 };

  it('held money pays first; nothing beyond it when it covers the loss', () => {
    expect(allocateChargebackLoss(4000, 10_000, parts)).toEqual({ fromHeld: 4000, expert: 0, partner: 0, platform: 0 });
  });

  it('after a release, the whole loss falls on the parts in the release\'s proportions', () => {
    expect(allocateChargebackLoss(10_000, 0, parts)).toEqual({ fromHeld: 0, expert: 8500, partner: 300, platform: 1200 });
    expect(allocateChargebackLoss(5000, 0, parts)).toEqual({ fromHeld: 0, expert: 4250, partner: 150, platform: 600 });
  });

  it('the rounding remainder is the platform\'s; nothing released → the platform bears it', () => {
    expect(allocateChargebackLoss(7, 0, { expertPayout: 3, partnerShare: 3, platformNet: 3 })).toEqual({ fromHeld: 0, expert: 2, partner: 2, platform: 3 });
    expect(allocateChargebackLoss(500, 0, { expertPayout: 0, partnerShare: 0, platformNet: 0 })).toEqual({ fromHeld: 0, expert: 0, partner: 0, platform: 500 });
  });

  it('property: the parts sum to the loss, none negative, none above what the release gave it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (lostSeed, held, expertPayout, partnerShare, platformNet) => {
          const released = { expertPayout, partnerShare, platformNet };
          const lost = lostSeed % (held + expertPayout + partnerShare + platformNet + 1);
          const a = allocateChargebackLoss(lost, held, released);
          expect(a.fromHeld + a.expert + a.partner + a.platform).toBe(lost);
          for (const v of Object.values(a)) expect(v).toBeGreaterThanOrEqual(0);
          expect(a.fromHeld).toBeLessThanOrEqual(held);
          expect(a.expert).toBeLessThanOrEqual(expertPayout);
          expect(a.partner).toBeLessThanOrEqual(partnerShare);
        },
      ),
    );
  });

  it('a reversal takes what the connected balance allows, never more than is owed', () => {
    expect(reversalAmount(8500, 10_000)).toBe(8500);
    expect(reversalAmount(8500, 3000)).toBe(3000);
    expect(reversalAmount(8500, 0)).toBe(0);
    expect(reversalAmount(8500, 10_000, 8000)).toBe(500);
    expect(reversalAmount(8500, 10_000, 9000)).toBe(0);
  });
});

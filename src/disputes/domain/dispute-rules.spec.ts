import fc from 'fast-check';
import { splitFee } from '../../payments/domain/money';
import { decideDispute, disputeQuotaRetryAfterSeconds, EscrowFacts } from './dispute-rules';

const FEE_BPS = 1500;
const escrowOf = (amount: number, frozen = false): EscrowFacts => ({ ...splitFee(amount, FEE_BPS), amount, frozen });
const open = { status: 'open' as const };

describe('decideDispute', () => {
  it('release: all to the expert less the fee; refund: all back to the customer', () => {
    expect(decideDispute(open, escrowOf(10_000), { outcome: 'release' }, FEE_BPS)).toEqual({
      ok: true,
      value: { outcome: 'release', refundAmount: 0, platformFee: 1500, expertPayout: 8500 },
    });
    expect(decideDispute(open, escrowOf(10_000), { outcome: 'refund' }, FEE_BPS)).toEqual({
      ok: true,
      value: { outcome: 'refund', refundAmount: 10_000, platformFee: 0, expertPayout: 0 },
    });
  });

  it('split: refundAmount back, the fee only on the released part', () => {
    expect(decideDispute(open, escrowOf(10_000), { outcome: 'split', refundAmount: 4000 }, FEE_BPS)).toEqual({
      ok: true,
      value: { outcome: 'split', refundAmount: 4000, platformFee: 900, expertPayout: 5100 },
    });
  });

  it.each([
    [{ outcome: 'split' as const }, 'missing_field'],
    [{ outcome: 'split' as const, refundAmount: 0 }, 'invalid_field'],
    [{ outcome: 'split' as const, refundAmount: 10_000 }, 'invalid_field'],
    [{ outcome: 'split' as const, refundAmount: 12.5 }, 'invalid_field'],
    [{ outcome: 'release' as const, refundAmount: 100 }, 'invalid_field'],
    [{ outcome: 'refund' as const, refundAmount: 100 }, 'invalid_field'],
  ])('%j → 400 %s on refundAmount', (input, code) => {
    expect(decideDispute(open, escrowOf(10_000), input, FEE_BPS)).toMatchObject({ ok: false, code, param: 'refundAmount' });
  });

  it('a chargeback-frozen escrow: release and split → escrow_frozen; refund passes the rule', () => {
    const frozen = escrowOf(10_000, true);
    expect(decideDispute(open, frozen, { outcome: 'release' }, FEE_BPS)).toMatchObject({ ok: false, code: 'escrow_frozen' });
    expect(decideDispute(open, frozen, { outcome: 'split', refundAmount: 10 }, FEE_BPS)).toMatchObject({ ok: false, code: 'escrow_frozen' });
    expect(decideDispute(open, frozen, { outcome: 'refund' }, FEE_BPS)).toMatchObject({ ok: true });
  });

  it('a resolved dispute cannot be decided again', () => {
    expect(decideDispute({ status: 'resolved' }, escrowOf(10_000), { outcome: 'refund' }, FEE_BPS)).toMatchObject({ ok: false, code: 'dispute_not_open' });
  });

  it('M2 property: refund + fee + payout == the held amount, for every outcome, amount, split and fee rate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 500, max: 1_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.constantFrom('release' as const, 'refund' as const, 'split' as const),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (amount, bps, outcome, share) => {
          const refundAmount = outcome === 'split' ? Math.min(amount - 1, Math.max(1, Math.floor(amount * share))) : undefined;
          const decided = decideDispute(open, { ...splitFee(amount, bps), amount, frozen: false }, { outcome, refundAmount }, bps);
          if (!decided.ok) throw new Error(decided.message);
          const { refundAmount: back, platformFee, expertPayout } = decided.value;
          expect(back + platformFee + expertPayout).toBe(amount);
          expect(Math.min(back, platformFee, expertPayout)).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it('quota Retry-After: until the oldest dispute leaves the 24 h window, at least 1 s', () => {
    const now = new Date('2026-01-02T00:00:00Z');
    expect(disputeQuotaRetryAfterSeconds(new Date('2026-01-01T01:00:00Z'), now)).toBe(3600);
    expect(disputeQuotaRetryAfterSeconds(new Date('2025-12-31T00:00:00Z'), now)).toBe(1);
  });
});

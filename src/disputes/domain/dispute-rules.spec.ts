import fc from 'fast-check';
import { splitFee } from '../../payments/domain/money';
import { applyRequestEvent, RequestSnapshot } from '../../requests/domain/request-state';
import {
  ADMIN_OUTCOMES,
  decideDispute,
  DISPUTE_KINDS,
  disputeQuotaRetryAfterSeconds,
  EscrowFacts,
  OUTCOME_EVENTS,
  OUTCOMES_BY_KIND,
  REQUEST_DISPUTE_KINDS,
  settlesHeldMoney,
} from './dispute-rules';

const FEE_BPS = 1500;
const escrowOf = (amount: number, chargebackStatus: EscrowFacts['chargebackStatus'] = null): EscrowFacts => ({ ...splitFee(amount, FEE_BPS), amount, chargebackStatus });
const open = { status: 'open' as const, kind: 'customer' as const };

// Contract §3 "Disputes have a kind", written out again so the spec checks the code rather than reading it back.
const CONTRACT_OUTCOMES: Record<string, string[]> = {
  customer: ['release', 'refund', 'split'],
  chargeback: ['release', 'refund', 'split'],
  warranty: ['release', 'refund', 'split'],
  post_payout_chargeback: ['recovered', 'write_off'],
  refund_failed: ['retry_refund', 'write_off'],
};

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

  it('while the charge has an open chargeback nothing is settled, whatever the kind or outcome → chargeback_open', () => {
    for (const kind of DISPUTE_KINDS) {
      for (const outcome of ADMIN_OUTCOMES) {
        expect(decideDispute({ status: 'open', kind }, escrowOf(10_000, 'open'), { outcome }, FEE_BPS)).toMatchObject({ ok: false, code: 'chargeback_open' });
      }
    }
  });

  it.each(DISPUTE_KINDS)('%s: exactly its outcomes are allowed, the rest → outcome_not_allowed', (kind) => {
    for (const outcome of ADMIN_OUTCOMES) {
      const input = outcome === 'split' ? { outcome, refundAmount: 100 } : { outcome };
      const decided = decideDispute({ status: 'open', kind }, { ...escrowOf(10_000, 'lost'), owed: 700 }, input, FEE_BPS);
      if (CONTRACT_OUTCOMES[kind].includes(outcome)) expect(decided).toMatchObject({ ok: true, value: { outcome } });
      else expect(decided).toMatchObject({ ok: false, code: 'outcome_not_allowed', param: 'outcome' });
    }
  });

  it('an admin can never refund a chargeback Stripe took back: post_payout and refund_failed refuse release, refund and split', () => {
    expect(OUTCOMES_BY_KIND.post_payout_chargeback).toEqual(['recovered', 'write_off']);
    expect(OUTCOMES_BY_KIND.refund_failed).toEqual(['retry_refund', 'write_off']);
  });

  it('debts and failed refunds settle what is owed; a lost chargeback with nothing left held has nothing to divide', () => {
    const facts = { ...escrowOf(10_000, 'lost'), owed: 1234 };
    const recovered = decideDispute({ status: 'open', kind: 'post_payout_chargeback' }, facts, { outcome: 'recovered' }, FEE_BPS);
    expect(recovered).toEqual({ ok: true, value: { outcome: 'recovered', amount: 1234 } });
    if (recovered.ok) expect(settlesHeldMoney(recovered.value)).toBe(false);
    expect(decideDispute({ status: 'open', kind: 'refund_failed' }, facts, { outcome: 'retry_refund' }, FEE_BPS)).toEqual({ ok: true, value: { outcome: 'retry_refund', amount: 1234 } });
    expect(decideDispute({ status: 'open', kind: 'chargeback' }, escrowOf(0, 'lost'), { outcome: 'release' }, FEE_BPS)).toMatchObject({ ok: false, code: 'escrow_not_held' });
    expect(decideDispute({ status: 'open', kind: 'customer' }, escrowOf(0), { outcome: 'refund' }, FEE_BPS)).toEqual({
      ok: true,
      value: { outcome: 'refund', refundAmount: 0, platformFee: 0, expertPayout: 0 },
    });
    const rest = decideDispute({ status: 'open', kind: 'chargeback' }, escrowOf(4000, 'lost'), { outcome: 'refund' }, FEE_BPS);
    expect(rest).toEqual({ ok: true, value: { outcome: 'refund', refundAmount: 4000, platformFee: 0, expertPayout: 0 } });
    if (rest.ok) expect(settlesHeldMoney(rest.value)).toBe(true);
  });

  it('the disputes that hold the request in disputed are the customer\'s, the chargeback\'s and the warranty\'s; the others are about money only', () => {
    expect([...REQUEST_DISPUTE_KINDS].sort()).toEqual(['chargeback', 'customer', 'warranty']);
    expect(Object.keys(OUTCOMES_BY_KIND).sort()).toEqual(Object.keys(CONTRACT_OUTCOMES).sort());
  });

  it.each([
    ['release', 'completed'],
    ['refund', 'refunded'],
    ['split', 'completed'],
  ] as const)('a %s decision moves the disputed request to %s', (outcome, status) => {
    const disputed: RequestSnapshot = {
      status: 'disputed',
      acceptedBidId: 'bid-1',
      acceptedAt: new Date('2030-01-01T00:00:00Z'),
      biddingClosesAt: new Date('2030-01-04T00:00:00Z'),
      fundedAt: new Date('2030-01-01T01:00:00Z'),
      reviewDueAt: null,
      disputedFrom: 'in_progress',
    };
    const settings = { paymentWindowHours: 24, reviewWindowHours: 168, maxHoldDays: 60, reopenResolveDays: 7 };
    expect(applyRequestEvent(disputed, { type: OUTCOME_EVENTS[outcome] }, { now: new Date('2030-01-02T00:00:00Z'), settings })).toMatchObject({ ok: true, next: { status } });
  });

  it('each refusal says what the admin can do instead', () => {
    const failed = (kind: (typeof DISPUTE_KINDS)[number], escrow: EscrowFacts, input: Parameters<typeof decideDispute>[2], status: 'open' | 'resolved' = 'open') =>
      decideDispute({ status, kind }, escrow, input, FEE_BPS);
    expect(failed('customer', escrowOf(10_000), { outcome: 'refund' }, 'resolved')).toMatchObject({ message: 'The dispute is already resolved.' });
    expect(failed('customer', escrowOf(10_000, 'open'), { outcome: 'refund' })).toMatchObject({
      message: "The customer's bank is deciding a chargeback on this payment: Stripe settles it, not an admin.",
    });
    expect(failed('refund_failed', escrowOf(10_000), { outcome: 'refund' })).toMatchObject({ message: 'A refund_failed dispute is resolved with "retry_refund" or "write_off".' });
    expect(failed('customer', escrowOf(10_000), { outcome: 'recovered' })).toMatchObject({ message: 'A customer dispute is resolved with "release" or "refund" or "split".' });
    expect(failed('customer', escrowOf(10_000), { outcome: 'release', refundAmount: 1 })).toMatchObject({ message: '"refundAmount" is only allowed with outcome "split".' });
    expect(failed('customer', escrowOf(0), { outcome: 'release' })).toMatchObject({ message: 'Nothing is held for this request any more: it can only be closed as "refund".' });
    expect(failed('customer', escrowOf(10_000), { outcome: 'split' })).toMatchObject({ message: '"refundAmount" is required with outcome "split".' });
  });

  it('a resolved dispute cannot be decided again', () => {
    expect(decideDispute({ status: 'resolved', kind: 'customer' }, escrowOf(10_000), { outcome: 'refund' }, FEE_BPS)).toMatchObject({ ok: false, code: 'dispute_not_open' });
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
          const decided = decideDispute(open, { ...splitFee(amount, bps), amount, chargebackStatus: null }, { outcome, refundAmount }, bps);
          if (!decided.ok || !settlesHeldMoney(decided.value)) throw new Error('not settled');
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

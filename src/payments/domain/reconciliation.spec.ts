import { LedgerSide, reconcile, StripeSide } from './reconciliation';
import { transferKey, transferPurpose } from './transfer-purpose';

const stripe = (overrides: Partial<StripeSide> = {}): StripeSide => ({
  charges: [{ paymentIntentId: 'pi_1', chargeId: 'ch_1', escrowId: 'e1', amount: 1000 }],
  transfers: [{ id: 'tr_1', escrowId: 'e1', amount: 850, purpose: 'expert' }],
  refunds: [],
  ...overrides,
});
const ledger = (overrides: Partial<LedgerSide> = {}): LedgerSide => ({
  fundings: [{ escrowId: 'e1', chargeId: 'ch_1' }],
  payouts: [{ escrowId: 'e1', transferId: 'tr_1', purpose: 'expert' }],
  refunds: [],
  paymentIntentIds: new Map([['pi_1', 'e1']]),
  ...overrides,
});

describe('reconcile (M4)', () => {
  it('agreeing sides → no violation', () => {
    expect(reconcile(stripe(), ledger())).toEqual([]);
  });

  it('a Stripe object without its ledger entry, each kind', () => {
    const codes = reconcile(
      stripe({ refunds: [{ id: 're_1', paymentIntentId: 'pi_1', amount: 100, status: 'succeeded' }] }),
      ledger({ fundings: [], payouts: [] }),
    ).map((v) => v.code);
    expect(codes.sort()).toEqual(['stripe_charge_without_ledger', 'stripe_refund_without_ledger', 'stripe_transfer_without_ledger']);
  });

  it('a ledger entry Stripe does not know, each kind', () => {
    const codes = reconcile(
      stripe({ charges: [], transfers: [] }),
      ledger({ refunds: [{ escrowId: 'e1', stripeRefundId: 're_x', status: 'succeeded', key: 'refund:d1' }, { escrowId: 'e1', stripeRefundId: null, status: 'pending', key: 'refund:d2' }] }),
    ).map((v) => v.code);
    expect(codes.sort()).toEqual(['ledger_funding_without_stripe_charge', 'ledger_payout_without_stripe_transfer', 'ledger_refund_without_stripe_refund', 'refund_not_made']);
  });

  it('a refund settled by a chargeback has no Stripe Refund and is not reported', () => {
    expect(reconcile(stripe(), ledger({ refunds: [{ escrowId: 'e1', stripeRefundId: null, status: 'chargeback', key: 'refund:d4' }] }))).toEqual([]);
  });

  it('refunds of other PaymentIntents are not ours; a refund failed at Stripe but not here is reported', () => {
    const violations = reconcile(
      stripe({ refunds: [{ id: 're_other', paymentIntentId: 'pi_other', amount: 5, status: 'succeeded' }, { id: 're_2', paymentIntentId: 'pi_1', amount: 5, status: 'failed' }] }),
      ledger({ refunds: [{ escrowId: 'e1', stripeRefundId: 're_2', status: 'succeeded', key: 'refund:d3' }] }),
    );
    expect(violations).toEqual([expect.objectContaining({ code: 'refund_failed', escrowId: 'e1', stripeId: 're_2' })]);
  });

  it('a matched refund is no violation, whatever its state, when both sides agree (M7: failed and failed)', () => {
    for (const status of ['succeeded', 'pending', 'failed']) {
      const refunds = [{ id: 're_3', paymentIntentId: 'pi_1', amount: 5, status }];
      expect(reconcile(stripe({ refunds }), ledger({ refunds: [{ escrowId: 'e1', stripeRefundId: 're_3', status, key: 'refund:d5' }] }))).toEqual([]);
    }
  });

  it('M7 a refund Stripe refused outright (failed, never made) is not "not made"; a failed row whose refund succeeded is a mismatch', () => {
    expect(reconcile(stripe(), ledger({ refunds: [{ escrowId: 'e1', stripeRefundId: null, status: 'failed', key: 'refund:d6' }] }))).toEqual([]);
    const refunds = [{ id: 're_4', paymentIntentId: 'pi_1', amount: 5, status: 'succeeded' }];
    expect(reconcile(stripe({ refunds }), ledger({ refunds: [{ escrowId: 'e1', stripeRefundId: 're_4', status: 'failed', key: 'refund:d7' }] })).map((v) => v.code)).toEqual([
      'refund_status_mismatch',
    ]);
  });

  it('a Stripe refund of ours without its row names its escrow', () => {
    const refunds = [{ id: 're_5', paymentIntentId: 'pi_1', amount: 5, status: 'succeeded' }];
    expect(reconcile(stripe({ refunds }), ledger())).toEqual([expect.objectContaining({ code: 'stripe_refund_without_ledger', escrowId: 'e1', stripeId: 're_5' })]);
  });

  it('M6 reversals are matched both ways (checked only when both sides were read)', () => {
    const reversals = [{ id: 'trr_1', transferId: 'tr_1', escrowId: 'e1', amount: 300 }];
    expect(reconcile(stripe({ reversals }), ledger({ reversals: [{ escrowId: 'e1', reversalId: 'trr_1' }] }))).toEqual([]);
    expect(reconcile(stripe({ reversals }), ledger({ reversals: [] })).map((v) => v.code)).toEqual(['stripe_reversal_without_ledger']);
    expect(reconcile(stripe({ reversals: [] }), ledger({ reversals: [{ escrowId: 'e1', reversalId: 'trr_9' }] })).map((v) => v.code)).toEqual(['ledger_reversal_without_stripe']);
    expect(reconcile(stripe({ reversals }), ledger())).toEqual([]);
  });

  it('M7 a refund that moved no money (failed or canceled at Stripe) needs no entry; one canceled after we booked it is a failed refund', () => {
    const refunds = [{ id: 're_f', paymentIntentId: 'pi_1', amount: 5, status: 'failed' }, { id: 're_c', paymentIntentId: 'pi_1', amount: 5, status: 'canceled' }];
    expect(reconcile(stripe({ refunds }), ledger())).toEqual([]);
    const booked = reconcile(stripe({ refunds }), ledger({ refunds: [{ escrowId: 'e1', stripeRefundId: 're_c', status: 'succeeded', key: 'refund:d8' }] }));
    expect(booked).toEqual([expect.objectContaining({ code: 'refund_failed', escrowId: 'e1', stripeId: 're_c' })]);
  });

  it('M4 each violation names the escrow, the Stripe object and, in words an admin reads, what is missing', () => {
    const violations = reconcile(
      {
        charges: [{ paymentIntentId: 'pi_2', chargeId: 'ch_2', escrowId: 'e2', amount: 2000 }],
        transfers: [{ id: 'tr_2', escrowId: 'e2', amount: 1700, purpose: 'expert' }, { id: 'tr_3', escrowId: 'e2', amount: 1700, purpose: 'expert' }],
        refunds: [{ id: 're_6', paymentIntentId: 'pi_1', amount: 300, status: 'succeeded' }, { id: 're_7', paymentIntentId: 'pi_1', amount: 40, status: 'failed' }],
        reversals: [{ id: 'trr_2', transferId: 'tr_2', escrowId: 'e2', amount: 500 }],
      },
      {
        fundings: [{ escrowId: 'e1', chargeId: 'ch_1' }],
        payouts: [{ escrowId: 'e1', transferId: 'tr_1', purpose: 'expert' }],
        refunds: [
          { escrowId: 'e1', stripeRefundId: null, status: 'pending', key: 'refund:d9' },
          { escrowId: 'e1', stripeRefundId: 're_8', status: 'succeeded', key: 'refund:d10' },
          { escrowId: 'e1', stripeRefundId: 're_7', status: 'succeeded', key: 'refund:d11' },
        ],
        paymentIntentIds: new Map([['pi_1', 'e1'], ['pi_2', 'e2']]),
        reversals: [{ escrowId: 'e1', reversalId: 'trr_1' }],
      },
    );
    expect(violations).toEqual([
      { code: 'stripe_charge_without_ledger', message: 'charge ch_2 (2000) has no funding entry', escrowId: 'e2', stripeId: 'ch_2' },
      { code: 'ledger_funding_without_stripe_charge', message: 'funding of escrow e1 names no succeeded charge at Stripe', escrowId: 'e1', stripeId: 'ch_1' },
      { code: 'stripe_transfer_without_ledger', message: 'transfer tr_2 (1700, expert) has no payout entry of its purpose', escrowId: 'e2', stripeId: 'tr_2' },
      { code: 'stripe_transfer_without_ledger', message: 'transfer tr_3 (1700, expert) has no payout entry of its purpose', escrowId: 'e2', stripeId: 'tr_3' },
      { code: 'duplicate_transfer', message: 'escrow e2 has 2 expert transfers at Stripe: tr_2, tr_3', escrowId: 'e2', stripeId: 'tr_3' },
      { code: 'ledger_payout_without_stripe_transfer', message: 'expert payout of escrow e1 names no expert transfer at Stripe', escrowId: 'e1', stripeId: 'tr_1' },
      { code: 'stripe_refund_without_ledger', message: 'refund re_6 (300) has no refund entry', escrowId: 'e1', stripeId: 're_6' },
      { code: 'refund_not_made', message: 'refund refund:d9 of escrow e1 is not at Stripe yet', escrowId: 'e1' },
      { code: 'ledger_refund_without_stripe_refund', message: 'refund re_8 of escrow e1 is unknown to Stripe', escrowId: 'e1', stripeId: 're_8' },
      { code: 'refund_failed', message: 'refund re_7 of escrow e1 is failed at Stripe, succeeded here', escrowId: 'e1', stripeId: 're_7' },
      { code: 'stripe_reversal_without_ledger', message: 'reversal trr_2 (500) of transfer tr_2 has no entry', escrowId: 'e2', stripeId: 'trr_2' },
      { code: 'ledger_reversal_without_stripe', message: 'a reversal entry of escrow e1 names no reversal at Stripe', escrowId: 'e1', stripeId: 'trr_1' },
    ]);
  });

  describe('M3 M9 transfers are matched by purpose', () => {
    const partnerTransfer = { id: 'tr_p', escrowId: 'e1', amount: 30, purpose: 'partner' as const };
    const partnerPayout = { escrowId: 'e1', transferId: 'tr_p', purpose: 'partner' as const };

    it("the partner's Transfer beside the expert's, each with its own entry → no violation", () => {
      expect(reconcile(stripe({ transfers: [...stripe().transfers, partnerTransfer] }), ledger({ payouts: [...ledger().payouts, partnerPayout] }))).toEqual([]);
    });

    it("a partner's Transfer never stands in for the expert's payout, nor the other way round", () => {
      const swapped = reconcile(
        stripe({ transfers: [{ ...partnerTransfer, id: 'tr_1' }] }),
        ledger({ payouts: [{ escrowId: 'e1', transferId: 'tr_1', purpose: 'expert' }] }),
      );
      expect(swapped.map((v) => v.code).sort()).toEqual(['ledger_payout_without_stripe_transfer', 'stripe_transfer_without_ledger']);
    });

    it('a second Transfer of one escrow for one purpose is a duplicate (M3); one of each purpose is not', () => {
      const twice = reconcile(
        stripe({ transfers: [...stripe().transfers, partnerTransfer, { ...partnerTransfer, id: 'tr_p2' }] }),
        ledger({ payouts: [...ledger().payouts, partnerPayout] }),
      );
      expect(twice.map((v) => v.code).sort()).toEqual(['duplicate_transfer', 'stripe_transfer_without_ledger']);
      expect(twice.find((v) => v.code === 'duplicate_transfer')).toMatchObject({ escrowId: 'e1', stripeId: 'tr_p2' });
    });
  });
});

describe('transfer purposes (M3)', () => {
  it('the expert keeps transfer:<escrowId>; the partner has transfer:partner:<escrowId>', () => {
    expect(transferKey('expert', 'e1')).toBe('transfer:e1');
    expect(transferKey('partner', 'e1')).toBe('transfer:partner:e1');
  });

  it.each([
    [{ escrowId: 'e1', expertId: 'u1' }, 'expert'],
    [{ escrowId: 'e1', purpose: 'expert' }, 'expert'],
    [{ escrowId: 'e1', partnerId: 'p1', purpose: 'partner' }, 'partner'],
    [{ escrowId: 'e1', purpose: 'holdback' }, 'holdback'],
    [{ escrowId: 'e1', purpose: 'bonus' }, 'unknown'],
  ])('metadata %j → %s', (metadata, purpose) => {
    expect(transferPurpose(metadata)).toBe(purpose);
  });
});

import fc from 'fast-check';
import { ERROR_CODES } from '../../common/errors/error-codes';
import { ESCROW_STATUSES, EscrowStatus } from './escrow-rules';
import { applyEscrowEvent, ESCROW_EVENT_TYPES, ESCROW_TRANSITIONS, EscrowEvent, EscrowEventType, EscrowState } from './escrow-state';
import { postingProblem } from './ledger-postings';
import { splitFee } from './money';

const now = new Date('2030-01-01T00:00:00Z');
const ctx = { now };

/** A consistent escrow of 10000 (fee 1500) in each status; released ones owe their payout. */
function escrowIn(status: EscrowStatus, overrides: Partial<EscrowState> = {}): EscrowState {
  const released = status === 'released' || status === 'partially_refunded';
  return {
    id: 'e1',
    status,
    payoutStatus: released ? 'pending' : 'none',
    amount: 10_000,
    refundedAmount: status === 'refunded' ? 10_000 : status === 'partially_refunded' ? 4000 : 0,
    platformFee: 1500,
    expertPayout: 8500,
    feeBps: 1500,
    frozen: false,
    transferId: null,
    partnerId: null,
    partnerShareBps: 0,
    partnerPayoutStatus: 'none',
    partnerTransferId: null,
    ...overrides,
  };
}

/** The same escrow for a partner's customer with a 20 % share fixed at funding; released ones owe the share too. */
function partnerEscrowIn(status: EscrowStatus, overrides: Partial<EscrowState> = {}): EscrowState {
  const released = status === 'released' || status === 'partially_refunded';
  const funded = status !== 'requires_payment' && status !== 'cancelled';
  return escrowIn(status, {
    partnerId: funded ? 'p1' : null,
    partnerShareBps: funded ? 2000 : 0,
    partnerPayoutStatus: released ? 'pending' : 'none',
    ...overrides,
  });
}

const eventOf = (type: EscrowEventType): EscrowEvent => {
  switch (type) {
    case 'fund':
      return { type, chargeId: 'ch_1', partner: null };
    case 'fund_and_refund':
      return { type, chargeId: 'ch_1', refundKey: 'refund:cancel:e1' };
    case 'release':
      return { type, reason: 'review' };
    case 'refund':
      return { type, amount: 2500, refundKey: 'refund:d1' };
    case 'transfer_recorded':
      return { type, transferId: 'tr_1', amount: 8500 };
    case 'partner_transfer_recorded':
      return { type, transferId: 'tr_p', amount: 300 };
    default:
      return { type };
  }
};

// The table written out again, so the spec checks the code rather than reading it back.
const ALLOWED: Record<string, EscrowStatus> = {
  'requires_payment fund': 'held',
  'requires_payment fund_and_refund': 'refunded',
  'cancelled fund_and_refund': 'refunded',
  'requires_payment cancel': 'cancelled',
  'held release': 'released',
  'held refund': 'held',
  'released transfer_recorded': 'released',
  'partially_refunded transfer_recorded': 'partially_refunded',
  'released partner_transfer_recorded': 'released',
  'partially_refunded partner_transfer_recorded': 'partially_refunded',
  ...Object.fromEntries(ESCROW_STATUSES.map((s) => [`${s} freeze`, s])),
};

const pairs = ESCROW_STATUSES.flatMap((status) => ESCROW_EVENT_TYPES.map((event) => [status, event] as const));

describe('escrow state table', () => {
  it('has exactly the expected (from, event) pairs', () => {
    const keys = new Set(ESCROW_TRANSITIONS.map((t) => `${t.from} ${t.event}`));
    expect([...keys].sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  // Every pair twice: a partner-less escrow and a partner customer's (M9). The partner's Transfer
  // can only be recorded where a share is owed; everything else moves the same with or without one.
  const fixtures = { plain: escrowIn, partner: partnerEscrowIn } as const;
  it.each(pairs.flatMap(([status, type]) => (['plain', 'partner'] as const).map((f) => [status, type, f] as const)))('%s + %s (%s)', (status, type, fixture) => {
    const before = fixtures[fixture](status);
    const result = applyEscrowEvent(before, eventOf(type), ctx);
    const target = ALLOWED[`${status} ${type}`];
    if (!target) {
      expect(result).toMatchObject({ ok: false, code: 'escrow_not_held', currentStatus: status });
      if (!result.ok) expect(ERROR_CODES[result.code]).toBe(409);
      return;
    }
    if (type === 'partner_transfer_recorded' && fixture === 'plain') {
      expect(result).toMatchObject({ ok: false, code: 'escrow_not_payable', currentStatus: status });
      if (!result.ok) expect(ERROR_CODES[result.code]).toBe(409);
      return;
    }
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.changes.status ?? status).toBe(target);
    for (const posting of result.postings) expect(postingProblem(posting.lines)).toBeNull();
    expect(before).toEqual(fixtures[fixture](status)); // never mutated
  });

  it('funding posts the charge into escrow_held and clears the client secret', () => {
    const result = applyEscrowEvent(escrowIn('requires_payment'), { type: 'fund', chargeId: 'ch_9', partner: null }, ctx);
    expect(result).toEqual({
      ok: true,
      changes: { status: 'held', chargeId: 'ch_9', fundedAt: now, clientSecret: null, paymentIntentFailedAt: null },
      postings: [{ kind: 'funding', reference: 'funding:e1', stripeObjectId: 'ch_9', lines: [{ account: 'customer_funds', amount: -10_000 }, { account: 'escrow_held', amount: 10_000 }] }],
    });
  });

  it('R5 a late payment is funded and refunded whole in one move: two postings, nothing left held', () => {
    const result = applyEscrowEvent(escrowIn('cancelled'), { type: 'fund_and_refund', chargeId: 'ch_2', refundKey: 'refund:cancel:e1' }, ctx);
    expect(result).toMatchObject({ ok: true, changes: { status: 'refunded', refundedAmount: 10_000, chargeId: 'ch_2' } });
    if (!result.ok) return;
    expect(result.postings.map((p) => [p.kind, p.reference])).toEqual([
      ['funding', 'funding:e1'],
      ['refund', 'refund:cancel:e1'],
    ]);
    const held = result.postings.flatMap((p) => p.lines).filter((l) => l.account === 'escrow_held').reduce((a, l) => a + l.amount, 0);
    expect(held).toBe(0);
  });

  it('release: whole → released with the quote; after a split → partially_refunded, fee on the rest; payout pending', () => {
    const whole = applyEscrowEvent(escrowIn('held'), { type: 'release', reason: 'review' }, ctx);
    expect(whole).toMatchObject({ ok: true, changes: { status: 'released', payoutStatus: 'pending', releaseReason: 'review', releasedAt: now } });
    if (whole.ok) expect(whole.postings[0].lines).toEqual([
      { account: 'escrow_held', amount: -10_000 },
      { account: 'platform_revenue', amount: 1500 },
      { account: 'expert_payable', amount: 8500 },
    ]);
    const split = applyEscrowEvent(escrowIn('held', { refundedAmount: 4000 }), { type: 'release', reason: 'admin_split' }, ctx);
    expect(split).toMatchObject({ ok: true, changes: { status: 'partially_refunded' } });
    if (split.ok) expect(split.postings[0].lines).toEqual([
      { account: 'escrow_held', amount: -6000 },
      { account: 'platform_revenue', amount: 900 },
      { account: 'expert_payable', amount: 5100 },
    ]);
  });

  it('a 100 % fee releases with no payout owed', () => {
    const result = applyEscrowEvent(escrowIn('held', { platformFee: 10_000, expertPayout: 0, feeBps: 10_000 }), { type: 'release', reason: 'review' }, ctx);
    expect(result).toMatchObject({ ok: true, changes: { payoutStatus: 'none' } });
  });

  it('a frozen escrow (chargeback) is never released, and refunded only whole', () => {
    const frozen = escrowIn('held', { frozen: true });
    expect(applyEscrowEvent(frozen, { type: 'release', reason: 'review' }, ctx)).toMatchObject({ ok: false, code: 'escrow_frozen' });
    expect(applyEscrowEvent(frozen, { type: 'refund', amount: 2500, refundKey: 'k' }, ctx)).toMatchObject({ ok: false, code: 'escrow_frozen' });
    expect(applyEscrowEvent(frozen, { type: 'refund', amount: 10_000, refundKey: 'k' }, ctx)).toMatchObject({ ok: true, changes: { status: 'refunded' } });
  });

  it('refunds: part keeps it held, the rest ends it; never more than held, never 0', () => {
    const partial = applyEscrowEvent(escrowIn('held'), { type: 'refund', amount: 2500, refundKey: 'k' }, ctx);
    expect(partial).toMatchObject({ ok: true, changes: { refundedAmount: 2500, refundedAt: now } });
    if (partial.ok) expect(partial.changes.status).toBeUndefined();
    expect(applyEscrowEvent(escrowIn('held', { refundedAmount: 2500 }), { type: 'refund', amount: 7500, refundKey: 'k2' }, ctx)).toMatchObject({
      ok: true,
      changes: { status: 'refunded', refundedAmount: 10_000 },
    });
    for (const amount of [0, -1, 10_001, 2.5]) {
      expect(applyEscrowEvent(escrowIn('held'), { type: 'refund', amount, refundKey: 'k' }, ctx)).toMatchObject({ ok: false, code: 'invalid_field', param: 'refundAmount' });
    }
  });

  it('freeze keeps the status and writes nothing a second time', () => {
    expect(applyEscrowEvent(escrowIn('held'), { type: 'freeze' }, ctx)).toEqual({ ok: true, changes: { frozen: true }, postings: [] });
    expect(applyEscrowEvent(escrowIn('held', { frozen: true }), { type: 'freeze' }, ctx)).toEqual({ ok: true, changes: {}, postings: [] });
  });

  it('M3 a Transfer is recorded once: paid or already linked → refused', () => {
    const ok = applyEscrowEvent(escrowIn('released'), { type: 'transfer_recorded', transferId: 'tr_1', amount: 8500 }, ctx);
    expect(ok).toMatchObject({ ok: true, changes: { payoutStatus: 'paid', transferId: 'tr_1' } });
    if (ok.ok) expect(ok.postings).toEqual([{ kind: 'payout', reference: 'transfer:e1', stripeObjectId: 'tr_1', lines: [{ account: 'expert_payable', amount: -8500 }, { account: 'paid_out', amount: 8500 }] }]);
    expect(applyEscrowEvent(escrowIn('released', { payoutStatus: 'paid', transferId: 'tr_1' }), { type: 'transfer_recorded', transferId: 'tr_2', amount: 8500 }, ctx)).toMatchObject({ ok: false, code: 'escrow_not_payable' });
    expect(applyEscrowEvent(escrowIn('released', { transferId: 'tr_1' }), { type: 'transfer_recorded', transferId: 'tr_1', amount: 8500 }, ctx)).toMatchObject({ ok: false, code: 'escrow_not_payable' });
  });

  it("M9 funding a partner customer's escrow fixes the partner and its share; a partner-less one writes no partner column", () => {
    const partner = applyEscrowEvent(escrowIn('requires_payment'), { type: 'fund', chargeId: 'ch_9', partner: { partnerId: 'p1', shareBps: 2000 } }, ctx);
    expect(partner).toMatchObject({ ok: true, changes: { status: 'held', partnerId: 'p1', partnerShareBps: 2000 } });
    const plain = applyEscrowEvent(escrowIn('requires_payment'), { type: 'fund', chargeId: 'ch_9', partner: null }, ctx);
    expect(plain.ok && Object.keys(plain.changes).filter((k) => k.startsWith('partner'))).toEqual([]);
  });

  it("M9 release of a partner customer's escrow: platform net + partner share == fee, the share owed to the partner (pending)", () => {
    const whole = applyEscrowEvent(partnerEscrowIn('held'), { type: 'release', reason: 'review' }, ctx);
    expect(whole).toMatchObject({ ok: true, changes: { status: 'released', payoutStatus: 'pending', partnerPayoutStatus: 'pending' } });
    if (whole.ok) expect(whole.postings).toEqual([{ kind: 'release', reference: 'release:e1', lines: [
      { account: 'escrow_held', amount: -10_000 },
      { account: 'platform_revenue', amount: 1200 },
      { account: 'partner_payable', amount: 300 },
      { account: 'expert_payable', amount: 8500 },
    ] }]);
  });

  it('M9 after a split the share is of the fee the release keeps (fee on the rest only)', () => {
    const split = applyEscrowEvent(partnerEscrowIn('held', { refundedAmount: 4000 }), { type: 'release', reason: 'admin_split' }, ctx);
    expect(split).toMatchObject({ ok: true, changes: { status: 'partially_refunded', partnerPayoutStatus: 'pending' } });
    if (split.ok) expect(split.postings[0].lines).toEqual([
      { account: 'escrow_held', amount: -6000 },
      { account: 'platform_revenue', amount: 720 },
      { account: 'partner_payable', amount: 180 },
      { account: 'expert_payable', amount: 5100 },
    ]);
  });

  it.each([
    ['a 0 % share', { partnerShareBps: 0 }],
    ['a share that floors to nothing (1 bps of 1500)', { partnerShareBps: 1 }],
    ['a 0 % fee', { partnerShareBps: 5000, platformFee: 0, expertPayout: 10_000, feeBps: 0 }],
  ])('M9 %s: no partner line, the partner payout stays none', (_name, overrides) => {
    const result = applyEscrowEvent(partnerEscrowIn('held', overrides), { type: 'release', reason: 'review' }, ctx);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.changes.partnerPayoutStatus).toBeUndefined();
    expect(result.postings.flatMap((p) => p.lines).map((l) => l.account)).not.toContain('partner_payable');
  });

  it("M3 the partner's Transfer is recorded once, apart from the expert's: transfer:partner:<escrowId>, partner_payable → paid_out", () => {
    const ok = applyEscrowEvent(partnerEscrowIn('released'), { type: 'partner_transfer_recorded', transferId: 'tr_p', amount: 300 }, ctx);
    expect(ok).toEqual({
      ok: true,
      changes: { partnerPayoutStatus: 'paid', partnerTransferId: 'tr_p' },
      postings: [{ kind: 'partner_payout', reference: 'transfer:partner:e1', stripeObjectId: 'tr_p', lines: [{ account: 'partner_payable', amount: -300 }, { account: 'paid_out', amount: 300 }] }],
    });
    const paid = partnerEscrowIn('released', { partnerPayoutStatus: 'paid', partnerTransferId: 'tr_p' });
    expect(applyEscrowEvent(paid, { type: 'partner_transfer_recorded', transferId: 'tr_p2', amount: 300 }, ctx)).toMatchObject({ ok: false, code: 'escrow_not_payable' });
    expect(applyEscrowEvent(partnerEscrowIn('released', { partnerTransferId: 'tr_p' }), { type: 'partner_transfer_recorded', transferId: 'tr_p', amount: 300 }, ctx)).toMatchObject({ ok: false, code: 'escrow_not_payable' });
    // The expert's payout is untouched by the partner's, and the other way round.
    expect(applyEscrowEvent(paid, { type: 'transfer_recorded', transferId: 'tr_1', amount: 8500 }, ctx)).toMatchObject({ ok: true, changes: { payoutStatus: 'paid' } });
    expect(applyEscrowEvent(partnerEscrowIn('released', { payoutStatus: 'paid', transferId: 'tr_1' }), { type: 'partner_transfer_recorded', transferId: 'tr_p', amount: 300 }, ctx)).toMatchObject({ ok: true });
  });

  it('M2 M9 property: any sequence of moves keeps refunded ≤ amount, the postings balanced and unique, and fee kept = platform net + partner share', () => {
    const eventArb: fc.Arbitrary<EscrowEvent> = fc.oneof(
      fc.option(fc.integer({ min: 0, max: 10_000 })).map((bps): EscrowEvent => ({ type: 'fund', chargeId: 'ch_1', partner: bps === null ? null : { partnerId: 'p1', shareBps: bps } })),
      fc.constant<EscrowEvent>({ type: 'fund_and_refund', chargeId: 'ch_1', refundKey: 'refund:cancel:e1' }),
      fc.constant<EscrowEvent>({ type: 'cancel' }),
      fc.constant<EscrowEvent>({ type: 'release', reason: 'review' }),
      fc.integer({ min: -10, max: 11_000 }).map((amount): EscrowEvent => ({ type: 'refund', amount, refundKey: `refund:${amount}` })),
      fc.constant<EscrowEvent>({ type: 'freeze' }),
      fc.constant<EscrowEvent>({ type: 'transfer_recorded', transferId: 'tr_1', amount: 1 }),
      fc.constant<EscrowEvent>({ type: 'partner_transfer_recorded', transferId: 'tr_p', amount: 1 }),
    );
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 20 }), (events) => {
        let escrow = escrowIn('requires_payment');
        const references = new Set<string>();
        const balance: Record<string, number> = {};
        let partnerPaid = 0;
        for (const [i, drawn] of events.entries()) {
          const event: EscrowEvent = drawn.type === 'refund' ? { ...drawn, refundKey: `refund:${i}` } : drawn;
          const result = applyEscrowEvent(escrow, event, ctx);
          if (!result.ok) continue;
          for (const p of result.postings) {
            expect(postingProblem(p.lines)).toBeNull();
            expect(references.has(p.reference)).toBe(false);
            references.add(p.reference);
            for (const l of p.lines) balance[l.account] = (balance[l.account] ?? 0) + l.amount;
            if (p.kind === 'partner_payout') partnerPaid += p.lines.find((l) => l.account === 'paid_out')?.amount ?? 0;
          }
          escrow = { ...escrow, ...result.changes } as EscrowState;
          expect(escrow.refundedAmount).toBeGreaterThanOrEqual(0);
          expect(escrow.refundedAmount).toBeLessThanOrEqual(escrow.amount);
          // Money is held exactly while the escrow is held: the ledger agrees with the status.
          expect(balance.escrow_held ?? 0).toBe(escrow.status === 'held' ? escrow.amount - escrow.refundedAmount : 0);
          expect(balance.partner_payable ?? 0).toBeGreaterThanOrEqual(0);
          if (escrow.status === 'released' || escrow.status === 'partially_refunded') {
            // M9: the fee the release kept is the platform's net plus the partner's share, floored at the rate fixed at funding.
            const kept = escrow.refundedAmount === 0 ? escrow.platformFee : splitFee(escrow.amount - escrow.refundedAmount, escrow.feeBps).platformFee;
            const share = (balance.partner_payable ?? 0) + partnerPaid;
            expect((balance.platform_revenue ?? 0) + share).toBe(kept);
            expect(share).toBe(Math.floor((kept * escrow.partnerShareBps) / 10_000));
            expect(escrow.partnerPayoutStatus === 'none').toBe(share === 0);
          }
        }
      }),
    );
  });
});

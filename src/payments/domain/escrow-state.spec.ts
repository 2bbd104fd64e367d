import fc from 'fast-check';
import { ERROR_CODES } from '../../common/errors/error-codes';
import { ESCROW_STATUSES, EscrowStatus, heldAmount } from './escrow-rules';
import { applyEscrowEvent, ESCROW_EVENT_TYPES, ESCROW_TRANSITIONS, EscrowEvent, EscrowEventType, EscrowState, holdbackRemaining } from './escrow-state';
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
    // A released escrow took out what the refunds left; the rest of its money is gone from escrow.
    releasedAmount: released ? (status === 'partially_refunded' ? 6000 : 10_000) : 0,
    chargebackStatus: null,
    chargebackAmount: null,
    chargebackLossHeld: 0,
    unclaimedAmount: 0,
    payoutAvailableAt: null,
    transferStartedAt: null,
    partnerTransferStartedAt: null,
    warrantyDays: 0,
    warrantyHoldback: 0,
    warrantyRefunded: 0,
    warrantyLost: 0,
    warrantyRefundFailed: 0,
    warrantyStatus: null,
    warrantyEndsAt: null,
    holdbackPayoutStatus: 'none',
    holdbackTransferId: null,
    holdbackTransferStartedAt: null,
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

const releasedParts = { expertPayout: 8500, partnerShare: 0, platformNet: 1500 };
const eventOf = (type: EscrowEventType): EscrowEvent => {
  switch (type) {
    case 'fund':
      return { type, chargeId: 'ch_1', partner: null };
    case 'fund_and_refund':
      return { type, chargeId: 'ch_1', refundKey: 'refund:cancel:e1' };
    case 'release':
      return { type, reason: 'review', payoutAvailableAt: now };
    case 'refund':
      return { type, amount: 2500, refundKey: 'refund:d1' };
    case 'chargeback_opened':
      return { type, disputeId: 'dp_1', amount: 10_000 };
    case 'chargeback_lost':
      return { type, released: releasedParts };
    case 'transfer_started':
    case 'transfer_failed':
      return { type, payee: 'expert' };
    case 'transfer_recorded':
      return { type, payee: 'expert', transferId: 'tr_1', amount: 8500 };
    case 'transfer_reversed':
      return { type, payee: 'expert', reversalId: 'trr_1', amount: 8500 };
    case 'refund_failed':
      return { type, refundKey: 'refund:d1', amount: 2500 };
    case 'retry_refund':
      return { type, refundKey: 'refund:d1:retry', amount: 2500 };
    case 'write_off_refund':
      return { type, reference: 'write_off:d1', amount: 2500 };
    case 'receivable_settled':
      return { type, payee: 'expert', amount: 100, how: 'write_off', reference: 'write_off:d1:expert' };
    case 'warranty_refund':
      return { type, amount: 300, refundKey: 'refund:w1' };
    case 'cancel':
    case 'chargeback_won':
    case 'warranty_released':
    case 'warranty_disputed':
      return { type };
  }
};

/** The state each event needs to be allowed, beyond its status (what the service makes sure of). */
const setUpFor = (type: EscrowEventType, status: EscrowStatus): Partial<EscrowState> => {
  switch (type) {
    case 'chargeback_won':
    case 'chargeback_lost':
      return { chargebackStatus: 'open', chargebackAmount: 10_000, frozen: true };
    case 'transfer_failed':
      return { payoutStatus: 'transferring' };
    case 'transfer_reversed':
      return { payoutStatus: 'paid', transferId: 'tr_1' };
    case 'refund_failed':
      return status === 'held' ? { refundedAmount: 2500 } : status === 'released' ? { refundedAmount: 2500, releasedAmount: 7500 } : {};
    case 'retry_refund':
    case 'write_off_refund':
      // A refund that failed: its money is held again.
      return { refundedAmount: (status === 'refunded' ? 10_000 : status === 'partially_refunded' ? 4000 : 0) - 2500 };
    case 'warranty_released':
    case 'warranty_refund':
    case 'warranty_disputed':
      // A released job with a 7-day warranty and its holdback held.
      return { warrantyDays: 7, warrantyHoldback: 850, warrantyStatus: 'held', warrantyEndsAt: now };
    default:
      return {};
  }
};

// The table written out again, so the spec checks the code rather than reading it back.
const stayIn = (statuses: readonly EscrowStatus[], event: string) => Object.fromEntries(statuses.map((s) => [`${s} ${event}`, s]));
const RELEASED = ['released', 'partially_refunded'] as const;
const FUNDED = ['held', 'released', 'refunded', 'partially_refunded'] as const;
const ALLOWED: Record<string, EscrowStatus> = {
  'requires_payment fund': 'held',
  'requires_payment fund_and_refund': 'refunded',
  'cancelled fund_and_refund': 'refunded',
  'requires_payment cancel': 'cancelled',
  'held release': 'released',
  'held refund': 'held',
  ...stayIn(ESCROW_STATUSES, 'chargeback_opened'),
  ...stayIn(ESCROW_STATUSES, 'chargeback_won'),
  ...stayIn(FUNDED, 'chargeback_lost'),
  // A held escrow that loses everything to the bank ends like a refunded one.
  'held chargeback_lost': 'refunded',
  ...stayIn(RELEASED, 'transfer_started'),
  ...stayIn(RELEASED, 'transfer_failed'),
  ...stayIn(RELEASED, 'transfer_recorded'),
  ...stayIn(RELEASED, 'transfer_reversed'),
  ...stayIn(FUNDED, 'refund_failed'),
  ...stayIn(FUNDED, 'retry_refund'),
  ...stayIn(FUNDED, 'write_off_refund'),
  ...stayIn(RELEASED, 'receivable_settled'),
  ...stayIn(RELEASED, 'warranty_released'),
  ...stayIn(RELEASED, 'warranty_refund'),
  ...stayIn(RELEASED, 'warranty_disputed'),
};

const pairs = ESCROW_STATUSES.flatMap((status) => ESCROW_EVENT_TYPES.map((event) => [status, event] as const));

describe('escrow state table', () => {
  it('has exactly the expected (from, event) pairs', () => {
    const keys = new Set(ESCROW_TRANSITIONS.map((t) => `${t.from} ${t.event}`));
    expect([...keys].sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  // Every pair twice: a partner-less escrow and a partner customer's (M9); everything moves the
  // same with or without one. Each pair gets the state its event needs beyond the status.
  const fixtures = { plain: escrowIn, partner: partnerEscrowIn } as const;
  it.each(pairs.flatMap(([status, type]) => (['plain', 'partner'] as const).map((f) => [status, type, f] as const)))('%s + %s (%s)', (status, type, fixture) => {
    const before = fixtures[fixture](status, setUpFor(type, status));
    const result = applyEscrowEvent(before, eventOf(type), ctx);
    const target = ALLOWED[`${status} ${type}`];
    if (!target) {
      expect(result).toMatchObject({ ok: false, code: 'escrow_not_held', currentStatus: status });
      if (!result.ok) expect(ERROR_CODES[result.code]).toBe(409);
      return;
    }
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect(result.changes.status ?? status).toBe(target);
    for (const posting of result.postings) expect(postingProblem(posting.lines)).toBeNull();
    expect(before).toEqual(fixtures[fixture](status, setUpFor(type, status))); // never mutated
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
    const whole = applyEscrowEvent(escrowIn('held'), { type: 'release', reason: 'review', payoutAvailableAt: now }, ctx);
    expect(whole).toMatchObject({ ok: true, changes: { status: 'released', payoutStatus: 'pending', releaseReason: 'review', releasedAt: now } });
    if (whole.ok) expect(whole.postings[0].lines).toEqual([
      { account: 'escrow_held', amount: -10_000 },
      { account: 'platform_revenue', amount: 1500 },
      { account: 'expert_payable', amount: 8500 },
    ]);
    const split = applyEscrowEvent(escrowIn('held', { refundedAmount: 4000 }), { type: 'release', reason: 'admin_split', payoutAvailableAt: now }, ctx);
    expect(split).toMatchObject({ ok: true, changes: { status: 'partially_refunded' } });
    if (split.ok) expect(split.postings[0].lines).toEqual([
      { account: 'escrow_held', amount: -6000 },
      { account: 'platform_revenue', amount: 900 },
      { account: 'expert_payable', amount: 5100 },
    ]);
  });

  it('a 100 % fee releases with no payout owed', () => {
    const result = applyEscrowEvent(escrowIn('held', { platformFee: 10_000, expertPayout: 0, feeBps: 10_000 }), { type: 'release', reason: 'review', payoutAvailableAt: now }, ctx);
    expect(result).toMatchObject({ ok: true, changes: { payoutStatus: 'none' } });
  });

  it('M6 a frozen escrow (chargeback) is never released nor refunded, not even whole: Stripe decides', () => {
    const frozen = escrowIn('held', { frozen: true, chargebackStatus: 'open', chargebackAmount: 10_000 });
    expect(applyEscrowEvent(frozen, { type: 'release', reason: 'review', payoutAvailableAt: now }, ctx)).toMatchObject({ ok: false, code: 'escrow_frozen' });
    expect(applyEscrowEvent(frozen, { type: 'refund', amount: 2500, refundKey: 'k' }, ctx)).toMatchObject({ ok: false, code: 'escrow_frozen' });
    expect(applyEscrowEvent(frozen, { type: 'refund', amount: 10_000, refundKey: 'k' }, ctx)).toMatchObject({ ok: false, code: 'escrow_frozen' });
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

  it('M3 a Transfer is recorded once: paid or already linked → refused', () => {
    const ok = applyEscrowEvent(escrowIn('released'), { type: 'transfer_recorded', payee: 'expert', transferId: 'tr_1', amount: 8500 }, ctx);
    expect(ok).toMatchObject({ ok: true, changes: { payoutStatus: 'paid', transferId: 'tr_1' } });
    if (ok.ok) expect(ok.postings).toEqual([{ kind: 'payout', reference: 'transfer:e1', stripeObjectId: 'tr_1', lines: [{ account: 'expert_payable', amount: -8500 }, { account: 'paid_out', amount: 8500 }] }]);
    expect(applyEscrowEvent(escrowIn('released', { payoutStatus: 'paid', transferId: 'tr_1' }), { type: 'transfer_recorded', payee: 'expert', transferId: 'tr_2', amount: 8500 }, ctx)).toMatchObject({ ok: false, code: 'escrow_not_payable' });
    expect(applyEscrowEvent(escrowIn('released', { transferId: 'tr_1' }), { type: 'transfer_recorded', payee: 'expert', transferId: 'tr_1', amount: 8500 }, ctx)).toMatchObject({ ok: false, code: 'escrow_not_payable' });
  });

  it("M9 funding a partner customer's escrow fixes the partner and its share; a partner-less one writes no partner column", () => {
    const partner = applyEscrowEvent(escrowIn('requires_payment'), { type: 'fund', chargeId: 'ch_9', partner: { partnerId: 'p1', shareBps: 2000 } }, ctx);
    expect(partner).toMatchObject({ ok: true, changes: { status: 'held', partnerId: 'p1', partnerShareBps: 2000 } });
    const plain = applyEscrowEvent(escrowIn('requires_payment'), { type: 'fund', chargeId: 'ch_9', partner: null }, ctx);
    expect(plain.ok && Object.keys(plain.changes).filter((k) => k.startsWith('partner'))).toEqual([]);
  });

  it("M9 release of a partner customer's escrow: platform net + partner share == fee, the share owed to the partner (pending)", () => {
    const whole = applyEscrowEvent(partnerEscrowIn('held'), { type: 'release', reason: 'review', payoutAvailableAt: now }, ctx);
    expect(whole).toMatchObject({ ok: true, changes: { status: 'released', payoutStatus: 'pending', partnerPayoutStatus: 'pending' } });
    if (whole.ok) expect(whole.postings).toEqual([{ kind: 'release', reference: 'release:e1', lines: [
      { account: 'escrow_held', amount: -10_000 },
      { account: 'platform_revenue', amount: 1200 },
      { account: 'partner_payable', amount: 300 },
      { account: 'expert_payable', amount: 8500 },
    ] }]);
  });

  it('M9 after a split the share is of the fee the release keeps (fee on the rest only)', () => {
    const split = applyEscrowEvent(partnerEscrowIn('held', { refundedAmount: 4000 }), { type: 'release', reason: 'admin_split', payoutAvailableAt: now }, ctx);
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
    const result = applyEscrowEvent(partnerEscrowIn('held', overrides), { type: 'release', reason: 'review', payoutAvailableAt: now }, ctx);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.changes.partnerPayoutStatus).toBeUndefined();
    expect(result.postings.flatMap((p) => p.lines).map((l) => l.account)).not.toContain('partner_payable');
  });

  it("M3 the partner's Transfer is recorded once, apart from the expert's: transfer:partner:<escrowId>, partner_payable → paid_out", () => {
    const ok = applyEscrowEvent(partnerEscrowIn('released'), { type: 'transfer_recorded', payee: 'partner', transferId: 'tr_p', amount: 300 }, ctx);
    expect(ok).toEqual({
      ok: true,
      changes: { partnerPayoutStatus: 'paid', partnerTransferId: 'tr_p' },
      postings: [{ kind: 'partner_payout', reference: 'transfer:partner:e1', stripeObjectId: 'tr_p', lines: [{ account: 'partner_payable', amount: -300 }, { account: 'paid_out', amount: 300 }] }],
    });
    const paid = partnerEscrowIn('released', { partnerPayoutStatus: 'paid', partnerTransferId: 'tr_p' });
    expect(applyEscrowEvent(paid, { type: 'transfer_recorded', payee: 'partner', transferId: 'tr_p2', amount: 300 }, ctx)).toMatchObject({ ok: false, code: 'escrow_not_payable' });
    expect(applyEscrowEvent(partnerEscrowIn('released', { partnerTransferId: 'tr_p' }), { type: 'transfer_recorded', payee: 'partner', transferId: 'tr_p', amount: 300 }, ctx)).toMatchObject({ ok: false, code: 'escrow_not_payable' });
    // The expert's payout is untouched by the partner's, and the other way round.
    expect(applyEscrowEvent(paid, { type: 'transfer_recorded', payee: 'expert', transferId: 'tr_1', amount: 8500 }, ctx)).toMatchObject({ ok: true, changes: { payoutStatus: 'paid' } });
    expect(applyEscrowEvent(partnerEscrowIn('released', { payoutStatus: 'paid', transferId: 'tr_1' }), { type: 'transfer_recorded', payee: 'partner', transferId: 'tr_p', amount: 300 }, ctx)).toMatchObject({ ok: true });
  });

  it('M2 M6 M7 M9 property: any sequence of moves keeps the postings balanced and unique, the ledger\'s escrow_held equal to the held money, and fee kept = platform net + partner share', () => {
    const payee = fc.constantFrom<'expert' | 'partner'>('expert', 'partner');
    const eventArb: fc.Arbitrary<EscrowEvent> = fc.oneof(
      fc.option(fc.integer({ min: 0, max: 10_000 })).map((bps): EscrowEvent => ({ type: 'fund', chargeId: 'ch_1', partner: bps === null ? null : { partnerId: 'p1', shareBps: bps } })),
      fc.constant<EscrowEvent>({ type: 'fund_and_refund', chargeId: 'ch_1', refundKey: 'refund:cancel:e1' }),
      fc.constant<EscrowEvent>({ type: 'cancel' }),
      fc.constant<EscrowEvent>({ type: 'release', reason: 'review', payoutAvailableAt: now }),
      fc.integer({ min: -10, max: 11_000 }).map((amount): EscrowEvent => ({ type: 'refund', amount, refundKey: 'k' })),
      fc.integer({ min: 1, max: 10_000 }).map((amount): EscrowEvent => ({ type: 'chargeback_opened', disputeId: 'dp_1', amount })),
      fc.constant<EscrowEvent>({ type: 'chargeback_won' }),
      fc.constant<EscrowEvent>({ type: 'chargeback_lost', released: releasedParts }),
      payee.map((p): EscrowEvent => ({ type: 'transfer_started', payee: p })),
      payee.map((p): EscrowEvent => ({ type: 'transfer_failed', payee: p })),
      payee.map((p): EscrowEvent => ({ type: 'transfer_recorded', payee: p, transferId: `tr_${p}`, amount: 1 })),
      fc.tuple(payee, fc.integer({ min: 1, max: 500 })).map(([p, amount]): EscrowEvent => ({ type: 'transfer_reversed', payee: p, reversalId: 'r', amount })),
      fc.integer({ min: -10, max: 11_000 }).map((amount): EscrowEvent => ({ type: 'refund_failed', refundKey: 'k', amount })),
      fc.integer({ min: -10, max: 11_000 }).map((amount): EscrowEvent => ({ type: 'retry_refund', refundKey: 'k', amount })),
      fc.integer({ min: -10, max: 11_000 }).map((amount): EscrowEvent => ({ type: 'write_off_refund', reference: 'w', amount })),
    );
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 25 }), (events) => {
        let escrow = escrowIn('requires_payment');
        let funded = false;
        const references = new Set<string>();
        const balance: Record<string, number> = {};
        let partnerPaid = 0;
        for (const [i, drawn] of events.entries()) {
          // Every decision names its own posting (the services derive keys from ids).
          const event: EscrowEvent = 'refundKey' in drawn && drawn.type !== 'fund_and_refund' ? { ...drawn, refundKey: `k${i}` } : 'reversalId' in drawn ? { ...drawn, reversalId: `r${i}` } : drawn.type === 'write_off_refund' ? { ...drawn, reference: `w${i}` } : drawn;
          const result = applyEscrowEvent(escrow, event, ctx);
          if (!result.ok) continue;
          for (const p of result.postings) {
            expect(postingProblem(p.lines)).toBeNull();
            expect(references.has(p.reference)).toBe(false);
            references.add(p.reference);
            for (const l of p.lines) balance[l.account] = (balance[l.account] ?? 0) + l.amount;
            if (p.kind === 'partner_payout') partnerPaid += p.lines.find((l) => l.account === 'paid_out')?.amount ?? 0;
          }
          if (event.type === 'fund' || event.type === 'fund_and_refund') funded = true;
          escrow = { ...escrow, ...result.changes } as EscrowState;
          expect(escrow.refundedAmount).toBeGreaterThanOrEqual(0);
          expect(escrow.refundedAmount).toBeLessThanOrEqual(escrow.amount);
          // M2: the ledger holds exactly what the escrow's columns say is held; a held escrow, all of it.
          expect(balance.escrow_held ?? 0).toBe(funded ? heldAmount(escrow) : 0);
          expect(heldAmount(escrow)).toBeGreaterThanOrEqual(0);
          // M6: what the bank took is booked as a loss, not a refund; nothing is lost twice.
          expect(balance.chargeback_loss ?? 0).toBe(escrow.chargebackStatus === 'lost' ? escrow.chargebackAmount : 0);
          expect(balance.refunded ?? 0).toBe(escrow.refundedAmount);
          expect(balance.unclaimed_refunds ?? 0).toBe(escrow.unclaimedAmount);
          if (escrow.chargebackStatus === null && (escrow.status === 'released' || escrow.status === 'partially_refunded')) {
            // M9: the fee the release kept is the platform's net plus the partner's share, floored at the rate fixed at funding.
            // It is the fee on what the release took (refunds and refunds written off never pay a fee).
            const kept = escrow.releasedAmount === escrow.amount ? escrow.platformFee : splitFee(escrow.releasedAmount, escrow.feeBps).platformFee;
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

describe('after the money moved (issue 9)', () => {
  const open = { chargebackStatus: 'open' as const, chargebackAmount: 10_000, frozen: true };

  it('M6 a chargeback freezes whatever the status; won thaws it, nothing booked', () => {
    const opened = applyEscrowEvent(escrowIn('released', { payoutStatus: 'paid', transferId: 'tr_1' }), { type: 'chargeback_opened', disputeId: 'dp_1', amount: 10_000 }, ctx);
    expect(opened).toEqual({ ok: true, changes: { frozen: true, chargebackStatus: 'open', chargebackAmount: 10_000, stripeDisputeId: 'dp_1' }, postings: [] });
    expect(applyEscrowEvent(escrowIn('held', open), { type: 'chargeback_won' }, ctx)).toEqual({ ok: true, changes: { frozen: false, chargebackStatus: 'won' }, postings: [] });
    expect(applyEscrowEvent(escrowIn('held', { ...open, chargebackStatus: 'won' }), { type: 'chargeback_opened', disputeId: 'dp_2', amount: 1 }, ctx)).toMatchObject({ ok: false, code: 'chargeback_open' });
  });

  it('M6 lost while held: the loss comes out of escrow as chargeback_loss, never as a refund; a partial loss leaves the rest held and thawed', () => {
    const whole = applyEscrowEvent(escrowIn('held', open), { type: 'chargeback_lost', released: releasedParts }, ctx);
    expect(whole).toMatchObject({ ok: true, changes: { status: 'refunded', frozen: false, chargebackStatus: 'lost', chargebackLoss: 10_000, chargebackLossHeld: 10_000 } });
    if (whole.ok) expect(whole.postings).toEqual([{ kind: 'chargeback', reference: 'chargeback:held:e1', lines: [{ account: 'escrow_held', amount: -10_000 }, { account: 'chargeback_loss', amount: 10_000 }] }]);
    const part = applyEscrowEvent(escrowIn('held', { ...open, chargebackAmount: 3000 }), { type: 'chargeback_lost', released: releasedParts }, ctx);
    expect(part).toMatchObject({ ok: true, changes: { frozen: false, chargebackLossHeld: 3000 } });
    if (part.ok) expect(part.changes.status).toBeUndefined();
  });

  it('M6 lost after the payout: owed back by the expert and the partner (receivables), given up by the platform; before the payout: less to pay', () => {
    const parts = { expertPayout: 8500, partnerShare: 300, platformNet: 1200 };
    const paid = applyEscrowEvent(partnerEscrowIn('released', { ...open, payoutStatus: 'paid', transferId: 'tr_1', partnerPayoutStatus: 'paid', partnerTransferId: 'tr_p' }), { type: 'chargeback_lost', released: parts }, ctx);
    expect(paid.ok && paid.postings).toEqual([
      {
        kind: 'chargeback',
        reference: 'chargeback:released:e1',
        lines: [
          { account: 'chargeback_loss', amount: 10_000 },
          { account: 'platform_revenue', amount: -1200 },
          { account: 'expert_receivable', amount: -8500 },
          { account: 'partner_receivable', amount: -300 },
        ],
      },
    ]);
    const pending = applyEscrowEvent(partnerEscrowIn('released', open), { type: 'chargeback_lost', released: parts }, ctx);
    expect(pending.ok && pending.postings[0].lines.map((l) => l.account)).toEqual(['chargeback_loss', 'platform_revenue', 'expert_payable', 'partner_payable']);
    // Lost whole before any Transfer: nothing is owed to either payee any more.
    expect(pending).toMatchObject({ ok: true, changes: { payoutStatus: 'none', partnerPayoutStatus: 'none' } });
    const partial = applyEscrowEvent(partnerEscrowIn('released', { ...open, chargebackAmount: 5000 }), { type: 'chargeback_lost', released: parts }, ctx);
    expect(partial.ok && 'payoutStatus' in partial.changes).toBe(false);
  });

  it('M8 a payout starts only unfrozen, due and owed; a Transfer that exists is recorded even on a frozen escrow', () => {
    const released = escrowIn('released');
    expect(applyEscrowEvent(released, { type: 'transfer_started', payee: 'expert' }, ctx)).toEqual({ ok: true, changes: { payoutStatus: 'transferring', transferStartedAt: now }, postings: [] });
    expect(applyEscrowEvent(escrowIn('released', open), { type: 'transfer_started', payee: 'expert' }, ctx)).toMatchObject({ ok: false, code: 'escrow_frozen' });
    const held = escrowIn('released', { payoutAvailableAt: new Date(now.getTime() + 1000) });
    expect(applyEscrowEvent(held, { type: 'transfer_started', payee: 'expert' }, ctx)).toMatchObject({ ok: false, code: 'escrow_not_payable' });
    expect(applyEscrowEvent(escrowIn('released', { payoutStatus: 'transferring' }), { type: 'transfer_started', payee: 'expert' }, ctx)).toMatchObject({ ok: false, code: 'escrow_not_payable' });
    expect(applyEscrowEvent(escrowIn('released', { ...open, payoutStatus: 'transferring' }), { type: 'transfer_recorded', payee: 'expert', transferId: 'tr_1', amount: 8500 }, ctx)).toMatchObject({ ok: true, changes: { payoutStatus: 'paid' } });
    expect(applyEscrowEvent(escrowIn('released', { payoutStatus: 'transferring' }), { type: 'transfer_failed', payee: 'expert' }, ctx)).toMatchObject({ ok: true, changes: { payoutStatus: 'pending' } });
  });

  it('M6 a reversal takes money back from the connected account: paid_out down, the debt down', () => {
    const reversed = applyEscrowEvent(escrowIn('released', { payoutStatus: 'paid', transferId: 'tr_1' }), { type: 'transfer_reversed', payee: 'expert', reversalId: 'trr_1', amount: 3000 }, ctx);
    expect(reversed).toEqual({
      ok: true,
      changes: { payoutStatus: 'reversed' },
      postings: [{ kind: 'reversal', reference: 'reversal:expert:e1:trr_1', stripeObjectId: 'trr_1', lines: [{ account: 'paid_out', amount: -3000 }, { account: 'expert_receivable', amount: 3000 }] }],
    });
    expect(applyEscrowEvent(escrowIn('released'), { type: 'transfer_reversed', payee: 'expert', reversalId: 'trr_1', amount: 3000 }, ctx)).toMatchObject({ ok: false, code: 'escrow_not_payable' });
  });

  it("M6 M9 a paid warranty holdback's Transfer is reversed as the expert's debt: its own reference, the same receivable; refused unless it was paid", () => {
    const paid = escrowIn('released', { payoutStatus: 'reversed', transferId: 'tr_1', warrantyHoldback: 255, warrantyStatus: 'released', holdbackPayoutStatus: 'paid', holdbackTransferId: 'tr_h' });
    expect(applyEscrowEvent(paid, { type: 'transfer_reversed', payee: 'holdback', reversalId: 'trr_h', amount: 255 }, ctx)).toEqual({
      ok: true,
      changes: { holdbackPayoutStatus: 'reversed' },
      postings: [{ kind: 'reversal', reference: 'reversal:holdback:e1:trr_h', stripeObjectId: 'trr_h', lines: [{ account: 'paid_out', amount: -255 }, { account: 'expert_receivable', amount: 255 }] }],
    });
    for (const holdbackPayoutStatus of ['none', 'pending', 'transferring'] as const) {
      expect(applyEscrowEvent({ ...paid, holdbackPayoutStatus, holdbackTransferId: null }, { type: 'transfer_reversed', payee: 'holdback', reversalId: 'trr_h', amount: 255 }, ctx)).toMatchObject({
        ok: false,
        code: 'escrow_not_payable',
      });
    }
  });

  it('M7 a failed refund comes back held (reversing entry); retried under a new key, or written off to unclaimed_refunds', () => {
    const failed = applyEscrowEvent(escrowIn('refunded'), { type: 'refund_failed', refundKey: 'refund:d1', amount: 10_000 }, ctx);
    expect(failed).toEqual({
      ok: true,
      changes: { refundedAmount: 0 },
      postings: [{ kind: 'refund_failed', reference: 'refund_failed:refund:d1', lines: [{ account: 'refunded', amount: -10_000 }, { account: 'escrow_held', amount: 10_000 }] }],
    });
    const again = escrowIn('refunded', { refundedAmount: 0 });
    expect(applyEscrowEvent(again, { type: 'retry_refund', refundKey: 'refund:d1:retry:1', amount: 10_000 }, ctx)).toMatchObject({ ok: true, changes: { refundedAmount: 10_000 } });
    expect(applyEscrowEvent(again, { type: 'write_off_refund', reference: 'write_off:d1', amount: 10_000 }, ctx)).toMatchObject({
      ok: true,
      changes: { unclaimedAmount: 10_000 },
      postings: [{ kind: 'write_off', lines: [{ account: 'escrow_held', amount: -10_000 }, { account: 'unclaimed_refunds', amount: 10_000 }] }],
    });
    expect(applyEscrowEvent(escrowIn('refunded'), { type: 'refund_failed', refundKey: 'k', amount: 10_001 }, ctx)).toMatchObject({ ok: false, code: 'invalid_field' });
    expect(applyEscrowEvent(escrowIn('refunded'), { type: 'retry_refund', refundKey: 'k', amount: 1 }, ctx)).toMatchObject({ ok: false, code: 'invalid_field' });
  });
});

describe('the fix warranty: the holdback (issue 10, M1–M3, M9)', () => {
  const DAY = 24 * 3_600_000;
  const withWarranty = (status: EscrowStatus, overrides: Partial<EscrowState> = {}) => escrowIn(status, { warrantyDays: 7, ...overrides });
  const held = (overrides: Partial<EscrowState> = {}) => withWarranty('released', { warrantyHoldback: 850, warrantyStatus: 'held', warrantyEndsAt: new Date(now.getTime() + 7 * DAY), ...overrides });

  it('a release with a warranty holds WARRANTY_HOLDBACK_BPS of the payout in warranty_held until it ends; the expert is owed the rest', () => {
    const result = applyEscrowEvent(withWarranty('held'), { type: 'release', reason: 'review', payoutAvailableAt: now, holdbackBps: 1000 }, ctx);
    expect(result).toMatchObject({
      ok: true,
      changes: { status: 'released', payoutStatus: 'pending', warrantyHoldback: 850, warrantyStatus: 'held', warrantyEndsAt: new Date(now.getTime() + 7 * DAY) },
    });
    expect(result.ok && result.postings[0].lines).toEqual([
      { account: 'escrow_held', amount: -10_000 },
      { account: 'platform_revenue', amount: 1500 },
      { account: 'expert_payable', amount: 7650 },
      { account: 'warranty_held', amount: 850 },
    ]);
    const none = applyEscrowEvent(escrowIn('held'), { type: 'release', reason: 'review', payoutAvailableAt: now, holdbackBps: 1000 }, ctx);
    expect(none.ok && none.postings[0].lines.some((l) => l.account === 'warranty_held')).toBe(false);
    expect(none.ok && 'warrantyStatus' in none.changes).toBe(false);
    // A warranty with no holdback (WARRANTY_HOLDBACK_BPS 0) still runs: the reopen does not need money.
    expect(applyEscrowEvent(withWarranty('held'), { type: 'release', reason: 'review', payoutAvailableAt: now, holdbackBps: 0 }, ctx)).toMatchObject({
      ok: true,
      changes: { warrantyHoldback: 0, warrantyStatus: 'held' },
    });
  });

  it('M3 the warranty ends: the holdback is owed and paid by its own Transfer (transfer:holdback:<escrowId>)', () => {
    const released = applyEscrowEvent(held(), { type: 'warranty_released' }, ctx);
    expect(released).toMatchObject({ ok: true, changes: { warrantyStatus: 'released', holdbackPayoutStatus: 'pending' }, postings: [] });
    const owed = held({ warrantyStatus: 'released', holdbackPayoutStatus: 'pending' });
    expect(applyEscrowEvent(owed, { type: 'transfer_started', payee: 'holdback' }, ctx)).toMatchObject({ ok: true, changes: { holdbackPayoutStatus: 'transferring', holdbackTransferStartedAt: now } });
    const paid = applyEscrowEvent({ ...owed, holdbackPayoutStatus: 'transferring' }, { type: 'transfer_recorded', payee: 'holdback', transferId: 'tr_h', amount: 850 }, ctx);
    expect(paid).toMatchObject({ ok: true, changes: { holdbackPayoutStatus: 'paid', holdbackTransferId: 'tr_h' } });
    expect(paid.ok && paid.postings).toEqual([
      { kind: 'holdback_payout', reference: 'transfer:holdback:e1', stripeObjectId: 'tr_h', lines: [{ account: 'warranty_held', amount: -850 }, { account: 'paid_out', amount: 850 }] },
    ]);
    expect(applyEscrowEvent(held({ warrantyStatus: 'refunded' }), { type: 'warranty_released' }, ctx)).toMatchObject({ ok: false, code: 'escrow_not_held' });
  });

  it('a warranty dispute refunds from the holdback only: part keeps it, all of it ends it; never more than is left', () => {
    const disputed = applyEscrowEvent(held(), { type: 'warranty_disputed' }, ctx);
    expect(disputed).toMatchObject({ ok: true, changes: { warrantyStatus: 'disputed' } });
    const part = applyEscrowEvent(held({ warrantyStatus: 'disputed' }), { type: 'warranty_refund', amount: 300, refundKey: 'refund:w1' }, ctx);
    expect(part).toMatchObject({ ok: true, changes: { warrantyRefunded: 300 } });
    expect(part.ok && 'warrantyStatus' in part.changes).toBe(false);
    expect(part.ok && part.postings[0].lines).toEqual([
      { account: 'warranty_held', amount: -300 },
      { account: 'refunded', amount: 300 },
    ]);
    expect(applyEscrowEvent(held({ warrantyStatus: 'disputed' }), { type: 'warranty_refund', amount: 850, refundKey: 'refund:w1' }, ctx)).toMatchObject({ ok: true, changes: { warrantyStatus: 'refunded' } });
    for (const amount of [0, 851, 1.5]) {
      expect(applyEscrowEvent(held(), { type: 'warranty_refund', amount, refundKey: 'refund:w1' }, ctx)).toMatchObject({ ok: false, code: 'invalid_field' });
    }
    // M7: a holdback refund that fails goes back to the holdback, which waits for an admin again.
    const failed = applyEscrowEvent(held({ warrantyRefunded: 300, warrantyStatus: 'disputed' }), { type: 'refund_failed', refundKey: 'refund:w1', amount: 300, fromHoldback: true }, ctx);
    expect(failed).toMatchObject({ ok: true, changes: { warrantyRefunded: 0, warrantyStatus: 'disputed' } });
    expect(failed.ok && failed.postings[0].lines).toEqual([
      { account: 'refunded', amount: -300 },
      { account: 'warranty_held', amount: 300 },
    ]);
  });

  it('M7 M9 a failed holdback refund stays the customer\'s: kept apart from the expert\'s part, settled by a write-off or a retry', () => {
    // A split: 300 refunded, the rest (550) released to the expert and paid; then Stripe fails the refund.
    const split = held({ warrantyRefunded: 300, warrantyStatus: 'released', holdbackPayoutStatus: 'paid', holdbackTransferId: 'tr_h' });
    const failed = applyEscrowEvent(split, { type: 'refund_failed', refundKey: 'refund:w1', amount: 300, fromHoldback: true }, ctx);
    expect(failed).toMatchObject({ ok: true, changes: { warrantyRefunded: 0, warrantyRefundFailed: 300, warrantyStatus: 'disputed' } });
    const back = { ...split, warrantyRefunded: 0, warrantyRefundFailed: 300, warrantyStatus: 'disputed' as const };
    expect(holdbackRemaining(back)).toBe(0);
    // Not paid yet: the expert's part is the holdback less the customer's.
    expect(holdbackRemaining({ ...back, holdbackPayoutStatus: 'pending' })).toBe(550);
    const writtenOff = applyEscrowEvent(back, { type: 'write_off_refund', reference: 'write_off:d1', amount: 300, fromHoldback: true }, ctx);
    expect(writtenOff).toMatchObject({ ok: true, changes: { warrantyLost: 300, warrantyRefundFailed: 0, warrantyStatus: 'released' } });
    expect(writtenOff.ok && writtenOff.postings[0].lines).toEqual([
      { account: 'warranty_held', amount: -300 },
      { account: 'unclaimed_refunds', amount: 300 },
    ]);
    const retried = applyEscrowEvent(back, { type: 'warranty_refund', amount: 300, refundKey: 'refund:d1', retry: true }, ctx);
    expect(retried).toMatchObject({ ok: true, changes: { warrantyRefunded: 300, warrantyRefundFailed: 0, warrantyStatus: 'released' } });
    // A whole refund that failed and is retried ends refunded; never more than the failed part.
    const whole = { ...held(), warrantyRefundFailed: 850, warrantyStatus: 'disputed' as const };
    expect(applyEscrowEvent(whole, { type: 'warranty_refund', amount: 850, refundKey: 'refund:d2', retry: true }, ctx)).toMatchObject({ ok: true, changes: { warrantyStatus: 'refunded' } });
    for (const amount of [0, 301]) {
      expect(applyEscrowEvent(back, { type: 'write_off_refund', reference: 'write_off:d1', amount, fromHoldback: true }, ctx)).toMatchObject({ ok: false, code: 'invalid_field' });
      expect(applyEscrowEvent(back, { type: 'warranty_refund', amount, refundKey: 'refund:d1', retry: true }, ctx)).toMatchObject({ ok: false, code: 'invalid_field' });
    }
  });

  it('M6 a chargeback lost after the release takes the expert\'s part from a holdback still held first', () => {
    const open = { chargebackStatus: 'open' as const, chargebackAmount: 10_000, frozen: true };
    const parts = { expertPayout: 8500, partnerShare: 0, platformNet: 1500 };
    const lost = applyEscrowEvent(held({ ...open, payoutStatus: 'paid', transferId: 'tr_1' }), { type: 'chargeback_lost', released: parts }, ctx);
    expect(lost).toMatchObject({ ok: true, changes: { warrantyLost: 850 } });
    expect(lost.ok && lost.postings[0].lines).toEqual([
      { account: 'chargeback_loss', amount: 10_000 },
      { account: 'platform_revenue', amount: -1500 },
      { account: 'warranty_held', amount: -850 },
      { account: 'expert_receivable', amount: -7650 },
    ]);
  });
});

describe('what each row promises beyond its status', () => {
  const open = { chargebackStatus: 'open' as const, chargebackAmount: 10_000, frozen: true };
  const apply = (escrow: EscrowState, event: EscrowEvent) => applyEscrowEvent(escrow, event, ctx);

  it('cancelling an unfunded escrow forgets its client secret and books nothing', () => {
    expect(apply(escrowIn('requires_payment'), { type: 'cancel' })).toEqual({ ok: true, changes: { clientSecret: null, status: 'cancelled' }, postings: [] });
  });

  it('M2 a release with nothing left held (every refund written off) books no posting', () => {
    const emptied = escrowIn('held', { refundedAmount: 0, unclaimedAmount: 10_000 });
    const result = apply(emptied, { type: 'release', reason: 'review', payoutAvailableAt: now });
    expect(result).toMatchObject({ ok: true, changes: { payoutStatus: 'none' }, postings: [] });
  });

  it('M8 the security hold ends at payoutAvailableAt: held before it, payable from that instant on', () => {
    const atHold = (ms: number) => escrowIn('released', { payoutAvailableAt: new Date(now.getTime() + ms) });
    expect(apply(atHold(1), { type: 'transfer_started', payee: 'expert' })).toEqual({
      ok: false,
      code: 'escrow_not_payable',
      message: 'The payout is held until 2030-01-01T00:00:00.001Z.',
      currentStatus: 'released',
    });
    expect(apply(atHold(0), { type: 'transfer_started', payee: 'expert' })).toMatchObject({ ok: true });
    expect(apply(atHold(-1), { type: 'transfer_started', payee: 'expert' })).toMatchObject({ ok: true });
  });

  it("M8 the partner's payout moves its own columns; a retried decision keeps the time of the first (the Stripe key's age)", () => {
    const first = new Date('2029-12-31T00:00:00Z');
    expect(apply(partnerEscrowIn('released'), { type: 'transfer_started', payee: 'partner' })).toEqual({
      ok: true,
      changes: { partnerPayoutStatus: 'transferring', partnerTransferStartedAt: now },
      postings: [],
    });
    expect(apply(partnerEscrowIn('released', { partnerTransferStartedAt: first }), { type: 'transfer_started', payee: 'partner' })).toMatchObject({
      ok: true,
      changes: { partnerTransferStartedAt: first },
    });
    expect(apply(escrowIn('released', { transferStartedAt: first }), { type: 'transfer_started', payee: 'expert' })).toMatchObject({ ok: true, changes: { transferStartedAt: first } });
    expect(apply(partnerEscrowIn('released', { partnerPayoutStatus: 'transferring' }), { type: 'transfer_failed', payee: 'partner' })).toEqual({
      ok: true,
      changes: { partnerPayoutStatus: 'pending' },
      postings: [],
    });
  });

  it('M3 a failure is only recorded for a Transfer being made, and a Transfer only when something is owed', () => {
    for (const payoutStatus of ['pending', 'paid'] as const) {
      expect(apply(escrowIn('released', { payoutStatus }), { type: 'transfer_failed', payee: 'expert' })).toMatchObject({
        ok: false,
        code: 'escrow_not_payable',
        message: "The expert's payout is not being transferred.",
      });
    }
    // A 100 % fee left the expert nothing: no Transfer can be recorded for them.
    expect(apply(escrowIn('released', { payoutStatus: 'none' }), { type: 'transfer_recorded', payee: 'expert', transferId: 'tr_1', amount: 1 })).toMatchObject({
      ok: false,
      code: 'escrow_not_payable',
      message: "The expert's payout is none; nothing is owed.",
    });
  });

  it('M6 a Transfer reversed in part may be reversed again; the refusals name the payout', () => {
    const once = escrowIn('released', { payoutStatus: 'reversed', transferId: 'tr_1' });
    expect(apply(once, { type: 'transfer_reversed', payee: 'expert', reversalId: 'trr_2', amount: 500 })).toMatchObject({ ok: true, postings: [{ reference: 'reversal:expert:e1:trr_2' }] });
    expect(apply(escrowIn('released'), { type: 'transfer_reversed', payee: 'expert', reversalId: 'trr_1', amount: 1 })).toMatchObject({
      message: "The expert's payout is pending: there is no Transfer to reverse.",
    });
    expect(apply(escrowIn('released', { payoutStatus: 'transferring' }), { type: 'transfer_started', payee: 'expert' })).toMatchObject({
      message: "The expert's payout is transferring; nothing is owed.",
    });
    expect(apply(escrowIn('released', open), { type: 'transfer_started', payee: 'expert' })).toMatchObject({
      message: 'A chargeback froze this escrow: no payout until it is won.',
    });
  });

  it('M6 only an open chargeback is won or lost, and a charge has one chargeback', () => {
    expect(apply(escrowIn('held'), { type: 'chargeback_won' })).toEqual({
      ok: false,
      code: 'escrow_not_held',
      message: 'The escrow has no open chargeback (none).',
      currentStatus: 'held',
    });
    expect(apply(escrowIn('held', { chargebackStatus: 'won' }), { type: 'chargeback_lost', released: releasedParts })).toMatchObject({
      ok: false,
      code: 'escrow_not_held',
      message: 'The escrow has no open chargeback (won).',
    });
    expect(apply(escrowIn('held', { chargebackStatus: 'lost' }), { type: 'chargeback_opened', disputeId: 'dp_2', amount: 1 })).toMatchObject({
      message: 'The charge already has a chargeback.',
    });
  });

  it('M6 a payout that had left (transferring or reversed) is owed back after a lost chargeback; one not made yet is only paid less', () => {
    const parts = { expertPayout: 8500, partnerShare: 300, platformNet: 1200 };
    const lost = apply(partnerEscrowIn('released', { ...open, payoutStatus: 'transferring', partnerPayoutStatus: 'reversed', partnerTransferId: 'tr_p' }), {
      type: 'chargeback_lost',
      released: parts,
    });
    expect(lost.ok && lost.postings[0].lines.map((l) => l.account)).toEqual(['chargeback_loss', 'platform_revenue', 'expert_receivable', 'partner_receivable']);
    // A paid payout stays paid whatever the loss took: its Transfer exists.
    expect(lost.ok && ('payoutStatus' in lost.changes || 'partnerPayoutStatus' in lost.changes)).toBe(false);
  });

  it('M6 a loss beyond the held money is booked whoever the release paid: all to the platform (100 % fee), or all to the partner (100 % share)', () => {
    const platformOnly = apply(escrowIn('released', { ...open, payoutStatus: 'none' }), { type: 'chargeback_lost', released: { expertPayout: 0, partnerShare: 0, platformNet: 10_000 } });
    expect(platformOnly.ok && platformOnly.postings).toEqual([
      { kind: 'chargeback', reference: 'chargeback:released:e1', lines: [{ account: 'chargeback_loss', amount: 10_000 }, { account: 'platform_revenue', amount: -10_000 }] },
    ]);
    const partnerOnly = apply(partnerEscrowIn('released', { ...open, payoutStatus: 'none', partnerPayoutStatus: 'paid', partnerTransferId: 'tr_p' }), {
      type: 'chargeback_lost',
      released: { expertPayout: 0, partnerShare: 10_000, platformNet: 0 },
    });
    expect(partnerOnly.ok && partnerOnly.postings).toEqual([
      { kind: 'chargeback', reference: 'chargeback:released:e1', lines: [{ account: 'chargeback_loss', amount: 10_000 }, { account: 'partner_receivable', amount: -10_000 }] },
    ]);
  });

  it('M7 amounts a failed refund, a write-off or a settled debt may take: 1 up to what there is', () => {
    const failedRefund = escrowIn('held', { refundedAmount: 2500 });
    expect(apply(failedRefund, { type: 'refund_failed', refundKey: 'k', amount: 1 })).toMatchObject({ ok: true });
    expect(apply(failedRefund, { type: 'refund_failed', refundKey: 'k', amount: 2501 })).toEqual({
      ok: false,
      code: 'invalid_field',
      param: 'amount',
      message: 'The failed refund must be an integer from 1 to 2500.',
      currentStatus: 'held',
    });
    for (const amount of [0, -1]) {
      expect(apply(escrowIn('held'), { type: 'write_off_refund', reference: 'w', amount })).toMatchObject({
        ok: false,
        code: 'invalid_field',
        message: 'The amount must be an integer from 1 to 10000.',
      });
    }
    const owed = escrowIn('released', { payoutStatus: 'paid', transferId: 'tr_1' });
    expect(apply(owed, { type: 'receivable_settled', payee: 'expert', amount: 0, how: 'recovered', reference: 'r' })).toMatchObject({
      ok: false,
      code: 'invalid_field',
      message: `The amount must be an integer from 1 to ${Number.MAX_SAFE_INTEGER}.`,
    });
  });

  it('M6 a debt repaid outside Stripe is a recovery, one the platform absorbs a write-off', () => {
    const owed = escrowIn('released', { payoutStatus: 'paid', transferId: 'tr_1' });
    expect(apply(owed, { type: 'receivable_settled', payee: 'expert', amount: 700, how: 'recovered', reference: 'recovery:d1:expert' })).toEqual({
      ok: true,
      changes: {},
      postings: [{ kind: 'recovery', reference: 'recovery:d1:expert', lines: [{ account: 'paid_out', amount: -700 }, { account: 'expert_receivable', amount: 700 }] }],
    });
    expect(apply(owed, { type: 'receivable_settled', payee: 'partner', amount: 30, how: 'write_off', reference: 'write_off:d1:partner' })).toEqual({
      ok: true,
      changes: {},
      postings: [{ kind: 'write_off', reference: 'write_off:d1:partner', lines: [{ account: 'platform_revenue', amount: -30 }, { account: 'partner_receivable', amount: 30 }] }],
    });
  });

  it('refunds, first or retried, are refund postings under the decision\'s key; an impossible move names the status and the event', () => {
    expect(apply(escrowIn('held'), { type: 'refund', amount: 2500, refundKey: 'refund:d1' })).toMatchObject({ postings: [{ kind: 'refund', reference: 'refund:d1' }] });
    expect(apply(escrowIn('held'), { type: 'retry_refund', amount: 2500, refundKey: 'refund:d1:retry:1' })).toMatchObject({ postings: [{ kind: 'refund', reference: 'refund:d1:retry:1' }] });
    expect(apply(escrowIn('cancelled'), { type: 'release', reason: 'review', payoutAvailableAt: now })).toMatchObject({
      ok: false,
      code: 'escrow_not_held',
      message: 'The escrow is cancelled; release is not possible.',
    });
  });
});

describe('the holdback rows, each promise (issue 10; mutation survivors of the warranty merge)', () => {
  const DAY = 24 * 3_600_000;
  const held = (overrides: Partial<EscrowState> = {}) =>
    escrowIn('released', { warrantyDays: 7, warrantyHoldback: 850, warrantyStatus: 'held', warrantyEndsAt: new Date(now.getTime() + 7 * DAY), ...overrides });
  const open = { chargebackStatus: 'open' as const, chargebackAmount: 10_000, frozen: true };
  const parts = { expertPayout: 8500, partnerShare: 0, platformNet: 1500 };

  it("what is left of a holdback for the expert: the holdback less refunded, lost and failed-refund parts; nothing once paid or reversed", () => {
    const some = { warrantyHoldback: 850, warrantyRefunded: 100, warrantyLost: 50, warrantyRefundFailed: 30 };
    expect(holdbackRemaining({ ...some, holdbackPayoutStatus: 'pending' })).toBe(670);
    expect(holdbackRemaining({ ...some, holdbackPayoutStatus: 'none' })).toBe(670);
    expect(holdbackRemaining({ ...some, holdbackPayoutStatus: 'paid' })).toBe(0);
    expect(holdbackRemaining({ ...some, holdbackPayoutStatus: 'reversed' })).toBe(0);
  });

  it('a warranty with no holdback left ends owing nothing; a release whose whole payout is held owes no payout now', () => {
    expect(applyEscrowEvent(held({ warrantyHoldback: 0 }), { type: 'warranty_released' }, ctx)).toMatchObject({ ok: true, changes: { holdbackPayoutStatus: 'none' } });
    expect(applyEscrowEvent(held({ warrantyRefunded: 850 }), { type: 'warranty_released' }, ctx)).toMatchObject({ ok: true, changes: { holdbackPayoutStatus: 'none' } });
    const whole = applyEscrowEvent(escrowIn('held', { warrantyDays: 7 }), { type: 'release', reason: 'review', payoutAvailableAt: now, holdbackBps: 10_000 }, ctx);
    expect(whole).toMatchObject({ ok: true, changes: { payoutStatus: 'none', warrantyHoldback: 8500, warrantyStatus: 'held' } });
  });

  it('refusals name what is wrong: no holdback in that state, or an amount out of range', () => {
    expect(applyEscrowEvent(escrowIn('released'), { type: 'warranty_released' }, ctx)).toMatchObject({
      ok: false,
      code: 'escrow_not_held',
      message: 'No warranty holdback is held or disputed (none).',
    });
    expect(applyEscrowEvent(held({ warrantyStatus: 'refunded' }), { type: 'warranty_disputed' }, ctx)).toMatchObject({
      ok: false,
      message: 'No warranty holdback is held (refunded).',
    });
    expect(applyEscrowEvent(held(), { type: 'warranty_refund', amount: 900, refundKey: 'refund:w1' }, ctx)).toMatchObject({
      ok: false,
      message: 'The holdback refund must be an integer from 1 to 850.',
    });
    const failed = held({ warrantyRefundFailed: 300, warrantyStatus: 'disputed' });
    expect(applyEscrowEvent(failed, { type: 'warranty_refund', amount: 301, refundKey: 'refund:w2', retry: true }, ctx)).toMatchObject({
      ok: false,
      message: 'The failed holdback refund must be an integer from 1 to 300.',
    });
    expect(applyEscrowEvent(escrowIn('held'), { type: 'retry_refund', amount: 10_001, refundKey: 'refund:d2' }, ctx)).toMatchObject({
      ok: false,
      message: 'The amount must be an integer from 1 to 10000.',
    });
  });

  it('M7 a failed refund or a write-off not from the holdback is measured against the escrow, even with fromHoldback: false', () => {
    const part = escrowIn('partially_refunded');
    expect(applyEscrowEvent(part, { type: 'refund_failed', refundKey: 'refund:d1', amount: 4000, fromHoldback: false }, ctx)).toMatchObject({
      ok: true,
      changes: { refundedAmount: 0 },
    });
    const heldBack = escrowIn('held', { refundedAmount: 2000 });
    expect(applyEscrowEvent(heldBack, { type: 'write_off_refund', reference: 'write_off:d1', amount: 2000, fromHoldback: false }, ctx)).toMatchObject({
      ok: true,
      changes: { unclaimedAmount: 2000 },
    });
  });

  it('M2 each holdback money move posts under its own kind and reference: refund, retried refund, failed refund, write-off', () => {
    const disputed = held({ warrantyStatus: 'disputed' });
    const refund = applyEscrowEvent(disputed, { type: 'warranty_refund', amount: 300, refundKey: 'refund:w1' }, ctx);
    expect(refund.ok && refund.postings).toEqual([
      { kind: 'refund', reference: 'refund:w1', lines: [{ account: 'warranty_held', amount: -300 }, { account: 'refunded', amount: 300 }] },
    ]);
    const failedBack = held({ warrantyRefundFailed: 300, warrantyStatus: 'disputed' });
    const retried = applyEscrowEvent(failedBack, { type: 'warranty_refund', amount: 300, refundKey: 'refund:w2', retry: true }, ctx);
    expect(retried.ok && retried.postings).toEqual([
      { kind: 'refund', reference: 'refund:w2', lines: [{ account: 'warranty_held', amount: -300 }, { account: 'refunded', amount: 300 }] },
    ]);
    const failed = applyEscrowEvent(held({ warrantyRefunded: 300, warrantyStatus: 'disputed' }), { type: 'refund_failed', refundKey: 'refund:w1', amount: 300, fromHoldback: true }, ctx);
    expect(failed.ok && failed.postings.map((p) => [p.kind, p.reference])).toEqual([['refund_failed', 'refund_failed:refund:w1']]);
    const writtenOff = applyEscrowEvent(failedBack, { type: 'write_off_refund', reference: 'write_off:d1', amount: 300, fromHoldback: true }, ctx);
    expect(writtenOff.ok && writtenOff.postings.map((p) => [p.kind, p.reference])).toEqual([['write_off', 'write_off:d1']]);
  });

  it('M3 a holdback Transfer already linked is refused, whatever the partner columns say', () => {
    const transferring = held({ warrantyStatus: 'released', holdbackPayoutStatus: 'transferring', holdbackTransferId: 'tr_h' });
    expect(applyEscrowEvent(transferring, { type: 'transfer_recorded', payee: 'holdback', transferId: 'tr_other', amount: 850 }, ctx)).toMatchObject({ ok: false });
    expect(applyEscrowEvent({ ...transferring, holdbackTransferId: null }, { type: 'transfer_recorded', payee: 'holdback', transferId: 'tr_h', amount: 850 }, ctx)).toMatchObject({
      ok: true,
      changes: { holdbackPayoutStatus: 'paid', holdbackTransferId: 'tr_h' },
    });
  });

  it('M6 a loss that takes a payout not made yet whole: the expert is owed nothing more, from the payout or the holdback', () => {
    // The payout (7,650) still pending, the holdback (850) still held: the whole loss takes both.
    const lost = applyEscrowEvent(held({ ...open }), { type: 'chargeback_lost', released: parts }, ctx);
    expect(lost).toMatchObject({ ok: true, changes: { payoutStatus: 'none', warrantyLost: 850 } });
    // Only a holdback payout not started is called off: a held one has none, a Transfer in flight is left to record.
    expect(lost.ok && 'holdbackPayoutStatus' in lost.changes).toBe(false);
    const inFlight = held({ ...open, payoutStatus: 'paid', transferId: 'tr_1', warrantyStatus: 'released', holdbackPayoutStatus: 'transferring' });
    const whileMoving = applyEscrowEvent(inFlight, { type: 'chargeback_lost', released: parts }, ctx);
    expect(whileMoving.ok && 'holdbackPayoutStatus' in whileMoving.changes).toBe(false);
    // The warranty over and its holdback owed (pending), the payout paid: the loss takes the holdback first, whole.
    const owed = held({ ...open, payoutStatus: 'paid', transferId: 'tr_1', warrantyStatus: 'released', holdbackPayoutStatus: 'pending' });
    expect(applyEscrowEvent(owed, { type: 'chargeback_lost', released: parts }, ctx)).toMatchObject({ ok: true, changes: { warrantyLost: 850, holdbackPayoutStatus: 'none' } });
    // A loss smaller than the holdback takes part of it: the rest is still owed.
    const small = applyEscrowEvent({ ...owed, chargebackAmount: 500 }, { type: 'chargeback_lost', released: parts }, ctx);
    expect(small.ok && small.changes).toMatchObject({ warrantyLost: expect.any(Number) });
    expect(small.ok && 'holdbackPayoutStatus' in small.changes).toBe(false);
    // The holdback already paid: nothing comes from it and its status is left alone.
    const paid = applyEscrowEvent({ ...owed, holdbackPayoutStatus: 'paid', holdbackTransferId: 'tr_h' }, { type: 'chargeback_lost', released: parts }, ctx);
    expect(paid.ok && 'warrantyLost' in paid.changes).toBe(false);
    expect(paid.ok && 'holdbackPayoutStatus' in paid.changes).toBe(false);
  });

  it('M6 a partial loss leaves a pending payout owed when the payout less the holdback is more than the loss takes', () => {
    const pending = held({ ...open, chargebackAmount: 8300 });
    const lost = applyEscrowEvent(pending, { type: 'chargeback_lost', released: parts }, ctx);
    expect(lost.ok && lost.changes).toMatchObject({ warrantyLost: 850 });
    expect(lost.ok && 'payoutStatus' in lost.changes).toBe(false);
    // No warranty: a loss takes nothing from a holdback and records no warrantyLost.
    const plain = applyEscrowEvent(escrowIn('released', { ...open, payoutStatus: 'paid', transferId: 'tr_1' }), { type: 'chargeback_lost', released: parts }, ctx);
    expect(plain.ok && 'warrantyLost' in plain.changes).toBe(false);
  });
});

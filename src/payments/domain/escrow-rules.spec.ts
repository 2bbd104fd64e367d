import fc from 'fast-check';
import {
  clientSecretVisible,
  EscrowFacts,
  EscrowStatus,
  heldAmount,
  PAYMENT_INTENT_ATTEMPT_MS,
  paymentIntentOutcome,
  paymentIntentRetryable,
  refundRefusal,
  releaseRefusal,
  releaseSplit,
  statusAfterRefund,
  statusAfterRelease,
} from './escrow-rules';
import { splitFee, splitRefund } from './money';

const held = (overrides: Partial<EscrowFacts> = {}): EscrowFacts => ({
  status: 'held',
  amount: 10_000,
  refundedAmount: 0,
  platformFee: 1500,
  expertPayout: 8500,
  feeBps: 1500,
  frozen: false,
  ...overrides,
});

describe('paymentIntentOutcome (W3: the PaymentIntent as Stripe has it now decides)', () => {
  const succeeded = { status: 'succeeded', chargeId: 'ch_1', hasPaymentError: false };
  it.each<[EscrowStatus, boolean, string, string]>([
    ['requires_payment', true, 'succeeded', 'fund'],
    ['requires_payment', false, 'succeeded', 'fund_and_refund'],
    ['cancelled', false, 'succeeded', 'fund_and_refund'],
    ['cancelled', true, 'succeeded', 'fund_and_refund'],
    ['held', true, 'succeeded', 'none'],
    ['released', false, 'succeeded', 'none'],
    ['refunded', false, 'succeeded', 'none'],
  ])('escrow %s, request awaiting it: %s, PaymentIntent %s → %s', (escrow, awaits, status, outcome) => {
    expect(paymentIntentOutcome(escrow, awaits, { ...succeeded, status })).toBe(outcome);
  });

  it('a succeeded PaymentIntent without a charge id funds nothing', () => {
    expect(paymentIntentOutcome('requires_payment', true, { ...succeeded, chargeId: null })).toBe('none');
  });

  it.each(['processing', 'requires_capture', 'requires_action', 'requires_confirmation'])('W3 a PaymentIntent %s, even with a charge, funds nothing: only succeeded money is held', (status) => {
    expect(paymentIntentOutcome('requires_payment', true, { ...succeeded, status })).toBe('none');
    expect(paymentIntentOutcome('cancelled', false, { ...succeeded, status })).toBe('none');
  });

  it('canceled cancels only an unfunded escrow', () => {
    const canceled = { status: 'canceled', chargeId: null, hasPaymentError: false };
    expect(paymentIntentOutcome('requires_payment', true, canceled)).toBe('cancel');
    expect(paymentIntentOutcome('held', true, canceled)).toBe('none');
    expect(paymentIntentOutcome('cancelled', false, canceled)).toBe('none');
  });

  it('a decline is reported only for the payment_failed event, while payment is due', () => {
    const declined = { status: 'requires_payment_method', chargeId: null, hasPaymentError: true };
    expect(paymentIntentOutcome('requires_payment', true, declined, 'payment_intent.payment_failed')).toBe('payment_failed');
    expect(paymentIntentOutcome('requires_payment', true, declined, 'payment_intent.succeeded')).toBe('none');
    expect(paymentIntentOutcome('held', true, declined, 'payment_intent.payment_failed')).toBe('none');
  });

  it('a payment_failed event is not a decline when the PaymentIntent, read again, has no error or moved on (the customer retried)', () => {
    const event = 'payment_intent.payment_failed';
    expect(paymentIntentOutcome('requires_payment', true, { status: 'requires_payment_method', chargeId: null, hasPaymentError: false }, event)).toBe('none');
    expect(paymentIntentOutcome('requires_payment', true, { status: 'processing', chargeId: null, hasPaymentError: true }, event)).toBe('none');
  });
});

describe('release and refund rules', () => {
  it('a whole release keeps the acceptance quote', () => {
    expect(releaseSplit(held())).toEqual({ platformFee: 1500, expertPayout: 8500 });
  });

  it('M2 a whole release pays the quote the escrow recorded, never a recomputation at its rate', () => {
    // The quote is what both parties saw when the bid was accepted; the rate column only prices a split.
    expect(releaseSplit(held({ platformFee: 1000, expertPayout: 9000 }))).toEqual({ platformFee: 1000, expertPayout: 9000 });
  });

  it('M2 after a partial refund the release is splitRefund\'s: refund + fee + payout == amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 500, max: 1_000_000 }), fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (amount, bps, share) => {
        const refund = Math.min(amount - 1, Math.max(1, Math.floor(amount * share)));
        const quote = splitFee(amount, bps);
        const escrow = held({ amount, feeBps: bps, platformFee: quote.platformFee, expertPayout: quote.expertPayout, refundedAmount: refund });
        const split = releaseSplit(escrow);
        const reference = splitRefund(amount, refund, bps);
        if (!reference.ok) return false;
        return split.platformFee === reference.value.platformFee && split.expertPayout === reference.value.expertPayout && refund + split.platformFee + split.expertPayout === amount;
      }),
    );
  });

  it('only held, unfrozen money is released or refunded', () => {
    expect(releaseRefusal(held())).toBeNull();
    expect(releaseRefusal(held({ status: 'released' }))?.code).toBe('escrow_not_held');
    expect(releaseRefusal(held({ frozen: true }))?.code).toBe('escrow_frozen');
    expect(refundRefusal(held(), 10_000)).toBeNull();
    expect(refundRefusal(held({ status: 'requires_payment' }), 100)?.code).toBe('escrow_not_held');
    expect(refundRefusal(held({ frozen: true }), 100)?.code).toBe('escrow_frozen');
  });

  it('M6 a chargeback (frozen) is never refunded, not even whole: the bank returns the money itself', () => {
    expect(refundRefusal(held({ frozen: true }), 10_000)?.code).toBe('escrow_frozen');
  });

  it.each([0, -1, 10_001, 12.5, Number.NaN])('a refund of %p of 10000 is an invalid refundAmount', (amount) => {
    expect(refundRefusal(held(), amount)).toMatchObject({ code: 'invalid_field', param: 'refundAmount' });
  });

  it('refunds never exceed what is held; a single minor unit may be refunded', () => {
    expect(refundRefusal(held({ refundedAmount: 9000 }), 1001)?.code).toBe('invalid_field');
    expect(heldAmount(held({ refundedAmount: 9000 }))).toBe(1000);
    expect(refundRefusal(held(), 1)).toBeNull();
    expect(refundRefusal(held({ refundedAmount: 9000 }), 1000)).toBeNull();
  });

  it('M2 held is the amount less refunds, the release, a lost chargeback\'s part and refunds given up; nothing before funding or once cancelled', () => {
    expect(heldAmount(held({ refundedAmount: 1000, chargebackLossHeld: 2000, unclaimedAmount: 500 }))).toBe(6500);
    expect(heldAmount(held({ status: 'partially_refunded', refundedAmount: 4000, releasedAmount: 6000 }))).toBe(0);
    expect(heldAmount(held({ status: 'requires_payment' }))).toBe(0);
    expect(heldAmount(held({ status: 'cancelled' }))).toBe(0);
  });

  it('a refusal says why, in words an admin or a customer can act on', () => {
    expect(releaseRefusal(held({ status: 'released' }))?.message).toBe('The escrow is released; only held money can be released.');
    expect(releaseRefusal(held({ frozen: true }))?.message).toMatch(/chargeback/);
    expect(refundRefusal(held({ status: 'refunded' }), 100)?.message).toBe('The escrow is refunded; only held money can be refunded.');
    expect(refundRefusal(held({ frozen: true }), 100)?.message).toMatch(/chargeback/);
    expect(refundRefusal(held({ refundedAmount: 9000 }), 1001)?.message).toBe('"refundAmount" must be an integer from 1 to 1000.');
  });

  it('statuses after refund and release', () => {
    expect(statusAfterRefund(held(), 10_000)).toBe('refunded');
    expect(statusAfterRefund(held(), 4000)).toBe('held');
    expect(statusAfterRelease({ refundedAmount: 0 })).toBe('released');
    expect(statusAfterRelease({ refundedAmount: 4000 })).toBe('partially_refunded');
  });
});

describe('who sees the client secret (A2)', () => {
  it.each<[Parameters<typeof clientSecretVisible>[0], EscrowStatus, boolean]>([
    ['owner', 'requires_payment', true],
    ['owner', 'held', false],
    ['owner', 'cancelled', false],
    ['expert', 'requires_payment', false],
    ['admin', 'requires_payment', false],
  ])('%s while %s → %s', (viewer, status, visible) => {
    expect(clientSecretVisible(viewer, status)).toBe(visible);
  });
});

describe('repeating an accept (PaymentIntent creation retry)', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const escrow = { status: 'requires_payment' as const, paymentIntentId: null, paymentIntentFailedAt: null, createdAt: new Date(now.getTime() - 1000) };
  it('a concurrent repeat while Stripe is being asked is not a retry', () => {
    expect(paymentIntentRetryable(escrow, now)).toBe(false);
  });
  it('an attempt exactly PAYMENT_INTENT_ATTEMPT_MS old may still be running: not yet a retry', () => {
    expect(paymentIntentRetryable({ ...escrow, createdAt: new Date(now.getTime() - PAYMENT_INTENT_ATTEMPT_MS) }, now)).toBe(false);
  });
  it('after a recorded failure, or once the attempt cannot still be running, it is', () => {
    expect(paymentIntentRetryable({ ...escrow, paymentIntentFailedAt: now }, now)).toBe(true);
    expect(paymentIntentRetryable({ ...escrow, createdAt: new Date(now.getTime() - PAYMENT_INTENT_ATTEMPT_MS - 1) }, now)).toBe(true);
  });
  it('never once a PaymentIntent exists or the escrow moved on', () => {
    expect(paymentIntentRetryable({ ...escrow, paymentIntentFailedAt: now, paymentIntentId: 'pi_1' }, now)).toBe(false);
    expect(paymentIntentRetryable({ ...escrow, paymentIntentFailedAt: now, status: 'cancelled' }, now)).toBe(false);
  });
});

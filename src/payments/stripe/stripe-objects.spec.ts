import { PaymentProviderError } from './stripe-errors';
import { availableBalance, viewAccount, viewDispute, viewEvent, viewPaymentIntent, viewRefund, viewReversal, viewTransfer } from './stripe-objects';

const pi = (overrides: Record<string, unknown> = {}) => ({
  id: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
  object: 'payment_intent',
  amount: 2000,
  currency: 'usd',
  status: 'succeeded',
  client_secret: 'pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH',
  latest_charge: 'ch_3MtwBwLkdIwHu7ix28a3tqPa',
  metadata: { escrowId: 'e1', n: 5 },
  last_payment_error: null,
  created: 1_700_000_000,
  ...overrides,
});

describe('API10 Stripe answers are validated before we act on them', () => {
  it('reads a PaymentIntent into the view the code uses', () => {
    expect(viewPaymentIntent(pi())).toEqual({
      id: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
      status: 'succeeded',
      amount: 2000,
      currency: 'usd',
      clientSecret: 'pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH',
      chargeId: 'ch_3MtwBwLkdIwHu7ix28a3tqPa',
      metadata: { escrowId: 'e1' },
      paymentError: null,
      created: 1_700_000_000,
    });
    expect(viewPaymentIntent(pi({ latest_charge: { id: 'ch_expanded', object: 'charge' } })).chargeId).toBe('ch_expanded');
    expect(viewPaymentIntent(pi({ client_secret: 'pi_other_secret_x' })).clientSecret).toBeNull();
  });

  it.each([
    ['a wrong id prefix', { id: 'ch_123' }],
    ['an id with odd characters', { id: 'pi_1; drop' }],
    ['a fractional amount', { amount: 20.5 }],
    ['a string amount', { amount: '2000' }],
    ['a negative amount', { amount: -1 }],
    ['an unsupported currency', { currency: 'jpy' }],
    ['an unknown status', { status: 'paid' }],
    ['a charge id of another kind', { latest_charge: 're_123' }],
  ])('refuses a PaymentIntent with %s → 502 payment_provider_error', (_what, overrides) => {
    expect(() => viewPaymentIntent(pi(overrides))).toThrow(PaymentProviderError);
    try {
      viewPaymentIntent(pi(overrides));
    } catch (err) {
      expect(err).toMatchObject({ code: 'payment_provider_error', status: 502 });
    }
  });

  it('refuses a non-object answer', () => {
    expect(() => viewPaymentIntent(null)).toThrow(PaymentProviderError);
    expect(() => viewPaymentIntent('<html>')).toThrow(PaymentProviderError);
  });

  it('transfers, refunds, accounts and events', () => {
    expect(viewTransfer({ id: 'tr_1', amount: 850, currency: 'usd', destination: 'acct_1', source_transaction: 'ch_1', metadata: {} })).toMatchObject({ id: 'tr_1', destination: 'acct_1' });
    expect(() => viewTransfer({ id: 'tr_1', amount: 850, currency: 'usd', destination: 'cus_1' })).toThrow(PaymentProviderError);
    expect(viewRefund({ id: 're_1', amount: 5, currency: 'eur', status: 'succeeded', charge: 'ch_1', payment_intent: 'pi_1', metadata: { refundKey: 'k' } })).toMatchObject({
      status: 'succeeded',
      metadata: { refundKey: 'k' },
    });
    expect(() => viewRefund({ id: 're_1', amount: 5, currency: 'eur', status: 'done' })).toThrow(PaymentProviderError);
    expect(viewAccount({ id: 'acct_1', payouts_enabled: true, capabilities: { transfers: 'active' } })).toMatchObject({ payouts_enabled: true, capabilities: { transfers: 'active' } });
    expect(() => viewEvent({ id: 'evt_1', type: 'x', created: 1, data: {} })).toThrow(PaymentProviderError);
  });

  it('M6 reads a dispute with its status (an unknown status is refused), a reversal, and a connected balance in one currency', () => {
    const dispute = { id: 'du_1', charge: 'ch_1', payment_intent: { id: 'pi_1' }, amount: 1200, reason: 'fraudulent', status: 'warning_closed' };
    expect(viewDispute(dispute)).toEqual({ id: 'du_1', chargeId: 'ch_1', paymentIntentId: 'pi_1', amount: 1200, reason: 'fraudulent', status: 'warning_closed' });
    expect(() => viewDispute({ ...dispute, status: 'settled' })).toThrow(PaymentProviderError);
    expect(viewReversal({ id: 'trr_1', amount: 300, currency: 'usd', transfer: 'tr_1', metadata: { reversalKey: 'k' } })).toEqual({
      id: 'trr_1',
      amount: 300,
      currency: 'usd',
      transferId: 'tr_1',
      metadata: { reversalKey: 'k' },
    });
    expect(() => viewReversal({ id: 'tr_1', amount: 300, currency: 'usd', transfer: 'tr_1' })).toThrow(PaymentProviderError);
    const balance = { available: [{ amount: 700, currency: 'usd' }, { amount: 50, currency: 'eur' }, { amount: 100, currency: 'usd' }] };
    expect(availableBalance(balance, 'usd')).toBe(800);
    expect(availableBalance(balance, 'gbp')).toBe(0);
    expect(availableBalance({ available: [{ amount: -300, currency: 'usd' }] }, 'usd')).toBe(0);
    expect(() => availableBalance({ available: [{ amount: '7', currency: 'usd' }] }, 'usd')).toThrow(PaymentProviderError);
    expect(() => availableBalance({}, 'usd')).toThrow(PaymentProviderError);
  });

  it('a refund carries why it failed; a transfer what was reversed of it', () => {
    expect(viewRefund({ id: 're_2', amount: 5, currency: 'usd', status: 'failed', failure_reason: 'expired_or_canceled_card', created: 7 })).toMatchObject({
      failureReason: 'expired_or_canceled_card',
      created: 7,
    });
    expect(viewTransfer({ id: 'tr_2', amount: 850, currency: 'usd', destination: 'acct_1', amount_reversed: 300 }).amountReversed).toBe(300);
  });
});

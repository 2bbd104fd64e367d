import type { CardSummary, PaymentMethodObject } from './objects';

/** What a test card does after it pays: Stripe's documented test-mode behaviours. */
export interface TestCard {
  card: CardSummary;
  decline?: { code: string; declineCode: string; message: string };
  /** The charge succeeds, then the cardholder's bank opens a dispute of this kind. */
  dispute?: { kind: 'chargeback' | 'inquiry'; reason: string; networkReasonCode: string };
  /** pm_card_refundFail: a refund starts `succeeded` and fails a little later (expired_or_canceled_card). */
  refundFails?: boolean;
}

const card = (brand: string, last4: string, funding = 'credit'): CardSummary => ({
  brand,
  country: 'US',
  exp_month: 12,
  exp_year: new Date().getUTCFullYear() + 3,
  fingerprint: `sbx${brand}${last4}`,
  funding,
  last4,
});

const declined = (last4: string, declineCode: string, message: string, code = 'card_declined'): TestCard => ({
  card: card('visa', last4),
  decline: { code, declineCode, message },
});

/**
 * Stripe's `pm_card_*` test PaymentMethods the sandbox understands (docs.stripe.com/testing), by
 * their card numbers' last four digits: 0259 fraud chargeback, 2685 product not received,
 * 1976 inquiry, 5126 refund fails asynchronously.
 */
export const TEST_CARDS: Record<string, TestCard> = {
  pm_card_visa: { card: card('visa', '4242') },
  pm_card_visa_debit: { card: card('visa', '5556', 'debit') },
  pm_card_mastercard: { card: card('mastercard', '4444') },
  pm_card_amex: { card: card('amex', '0005') },
  pm_card_chargeDeclined: declined('0002', 'generic_decline', 'Your card was declined.'),
  pm_card_chargeDeclinedInsufficientFunds: declined('9995', 'insufficient_funds', 'Your card has insufficient funds.'),
  pm_card_chargeDeclinedFraudulent: declined('0019', 'fraudulent', 'Your card was declined.'),
  pm_card_chargeDeclinedExpiredCard: declined('0069', 'expired_card', 'Your card has expired.', 'expired_card'),
  pm_card_createDispute: { card: card('visa', '0259'), dispute: { kind: 'chargeback', reason: 'fraudulent', networkReasonCode: '10.4' } },
  pm_card_createDisputeProductNotReceived: {
    card: card('visa', '2685'),
    dispute: { kind: 'chargeback', reason: 'product_not_received', networkReasonCode: '13.1' },
  },
  pm_card_createDisputeInquiry: { card: card('visa', '1976'), dispute: { kind: 'inquiry', reason: 'fraudulent', networkReasonCode: '10' } },
  pm_card_refundFail: { card: card('visa', '5126'), refundFails: true },
};

/**
 * The whole PaymentMethod object Stripe puts in a decline (`error.payment_method`,
 * `last_payment_error.payment_method`): clients read its card and billing details from there.
 */
export function paymentMethodObject(id: string, test: TestCard, created: number): PaymentMethodObject {
  return {
    id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: null,
      name: null,
      phone: null,
      tax_id: null,
    },
    card: {
      ...test.card,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'unchecked' },
      display_brand: test.card.brand,
      generated_from: null,
      networks: { available: [test.card.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created,
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
}

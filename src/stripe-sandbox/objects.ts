/**
 * The Stripe objects the sandbox keeps, with the field names and JSON types of Stripe's API
 * (stripe/openapi spec, API version 2026-10-28). Fields we never set are present with Stripe's
 * empty value (null, {}, []), because clients read them without checking that they exist.
 */
export type Metadata = Record<string, string>;
type Nullable<T> = T | null;

export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export interface LastPaymentError {
  type: 'card_error';
  code: string;
  decline_code?: string;
  message: string;
  doc_url: string;
  charge: string;
  /** The whole PaymentMethod, as Stripe sends it (not a summary). */
  payment_method: PaymentMethodObject;
  payment_method_type?: 'card';
}

export interface PaymentIntentObject {
  id: string;
  object: 'payment_intent';
  allowed_payment_method_types: Nullable<string[]>;
  amount: number;
  amount_capturable: number;
  amount_details: { tip: Record<string, never> };
  amount_received: number;
  application: null;
  application_fee_amount: Nullable<number>;
  automatic_payment_methods: Nullable<{ allow_redirects: 'always' | 'never'; enabled: boolean }>;
  canceled_at: Nullable<number>;
  cancellation_reason: Nullable<string>;
  capture_method: 'automatic' | 'automatic_async';
  client_secret: string;
  confirmation_method: 'automatic' | 'manual';
  created: number;
  currency: string;
  customer: Nullable<string>;
  customer_account: null;
  description: Nullable<string>;
  excluded_payment_method_types: null;
  last_payment_error: Nullable<LastPaymentError>;
  latest_charge: Nullable<string>;
  livemode: false;
  managed_payments: null;
  metadata: Metadata;
  next_action: null;
  on_behalf_of: Nullable<string>;
  payment_method: Nullable<string>;
  payment_method_configuration_details: null;
  payment_method_options: Record<string, unknown>;
  payment_method_types: string[];
  payment_record: null;
  processing: null;
  receipt_email: Nullable<string>;
  review: null;
  setup_future_usage: null;
  shipping: null;
  source: null;
  statement_descriptor: Nullable<string>;
  statement_descriptor_suffix: Nullable<string>;
  status: PaymentIntentStatus;
  transfer_data: null;
  transfer_group: Nullable<string>;
}

export interface CardSummary {
  brand: string;
  country: string;
  exp_month: number;
  exp_year: number;
  fingerprint: string;
  funding: string;
  last4: string;
}

/** A card PaymentMethod (`pm_card_*` test tokens keep their token as id: the sandbox stores no PaymentMethods). */
export interface PaymentMethodObject {
  id: string;
  object: 'payment_method';
  allow_redisplay: 'always' | 'limited' | 'unspecified';
  billing_details: BillingDetails;
  card: CardSummary & {
    checks: Record<'address_line1_check' | 'address_postal_code_check' | 'cvc_check', Nullable<string>>;
    display_brand: string;
    generated_from: null;
    networks: { available: string[]; preferred: null };
    regulated_status: 'regulated' | 'unregulated';
    three_d_secure_usage: { supported: boolean };
    wallet: null;
  };
  created: number;
  customer: Nullable<string>;
  customer_account: null;
  livemode: false;
  metadata: Metadata;
  type: 'card';
}

export interface BillingDetails {
  address: Record<'city' | 'country' | 'line1' | 'line2' | 'postal_code' | 'state', null>;
  email: null;
  name: null;
  phone: null;
  tax_id: null;
}

/**
 * A Charge. Since API version 2022-11-15 Stripe no longer embeds `refunds` by default: it is
 * added only when the request asks for `expand[]=refunds` (see lists.ts).
 */
export interface ChargeObject {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  application: null;
  application_fee: null;
  application_fee_amount: null;
  balance_transaction: Nullable<string>;
  billing_details: BillingDetails;
  calculated_statement_descriptor: string;
  captured: boolean;
  created: number;
  currency: string;
  customer: Nullable<string>;
  description: Nullable<string>;
  disputed: boolean;
  failure_balance_transaction: null;
  failure_code: Nullable<string>;
  failure_message: Nullable<string>;
  fraud_details: Record<string, string>;
  livemode: false;
  metadata: Metadata;
  on_behalf_of: Nullable<string>;
  outcome: {
    advice_code: null;
    network_advice_code: null;
    network_decline_code: null;
    network_status: string;
    reason: Nullable<string>;
    risk_level: string;
    risk_score: number;
    seller_message: string;
    type: string;
  };
  paid: boolean;
  payment_intent: Nullable<string>;
  payment_method: Nullable<string>;
  payment_method_details: { card: CardSummary & { checks: Record<string, Nullable<string>>; network: string }; type: 'card' };
  receipt_email: Nullable<string>;
  receipt_number: null;
  receipt_url: Nullable<string>;
  refunded: boolean;
  review: null;
  shipping: null;
  source: null;
  source_transfer: null;
  statement_descriptor: Nullable<string>;
  statement_descriptor_suffix: Nullable<string>;
  status: 'succeeded' | 'pending' | 'failed';
  transfer_data: null;
  transfer_group: Nullable<string>;
}

export interface RefundObject {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: Nullable<string>;
  charge: string;
  created: number;
  currency: string;
  customer: null;
  customer_account: null;
  destination_details: { card: { reference_status: string; reference_type: string; type: 'refund' | 'reversal' }; type: 'card' };
  /** Only once the refund failed: the balance transaction that gave the money back to the platform. */
  failure_balance_transaction?: string;
  /** Only once the refund failed: `expired_or_canceled_card`, `lost_or_stolen_card`, `unknown`. */
  failure_reason?: string;
  metadata: Metadata;
  payment_intent: Nullable<string>;
  payment_method: Nullable<string>;
  reason: Nullable<string>;
  receipt_number: null;
  source_transfer_reversal: null;
  status: 'succeeded' | 'pending' | 'failed' | 'canceled';
  transfer_reversal: null;
}

export interface EventObject {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: object; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: Nullable<string>; idempotency_key: Nullable<string> };
  type: string;
}

export type { AccountLinkObject, AccountObject, BalanceAmount, BalanceObject, Requirements, TransferObject, TransferReversalObject } from './objects-connect';
export type { BalanceTransactionObject, DisputeEvidence, DisputeObject, DisputeStatus } from './objects-disputes';

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
  payment_method: { id: string; object: 'payment_method'; type: 'card'; card: CardSummary };
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
  billing_details: {
    address: Record<'city' | 'country' | 'line1' | 'line2' | 'postal_code' | 'state', null>;
    email: null;
    name: null;
    phone: null;
    tax_id: null;
  };
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
  refunds: ListObject<RefundObject>;
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
  destination_details: { card: { reference_status: string; reference_type: string; type: 'refund' }; type: 'card' };
  metadata: Metadata;
  payment_intent: Nullable<string>;
  payment_method: Nullable<string>;
  reason: Nullable<string>;
  receipt_number: null;
  source_transfer_reversal: null;
  status: 'succeeded' | 'pending' | 'failed' | 'canceled';
  transfer_reversal: null;
}

export interface TransferObject {
  id: string;
  object: 'transfer';
  amount: number;
  amount_reversed: number;
  balance_transaction: string;
  created: number;
  currency: string;
  description: Nullable<string>;
  destination: string;
  destination_payment: string;
  livemode: false;
  metadata: Metadata;
  reversals: ListObject<TransferReversalObject>;
  reversed: boolean;
  source_transaction: Nullable<string>;
  source_type: 'card';
  transfer_group: Nullable<string>;
}

export interface TransferReversalObject {
  id: string;
  object: 'transfer_reversal';
  amount: number;
  balance_transaction: string;
  created: number;
  currency: string;
  destination_payment_refund: string;
  metadata: Metadata;
  source_refund: null;
  transfer: string;
}

export interface Requirements {
  alternatives: unknown[];
  current_deadline: Nullable<number>;
  currently_due: string[];
  disabled_reason: Nullable<string>;
  errors: unknown[];
  eventually_due: string[];
  past_due: string[];
  pending_verification: string[];
}

export interface AccountObject {
  id: string;
  object: 'account';
  business_profile: Record<string, unknown>;
  business_type: Nullable<string>;
  capabilities: Record<string, 'active' | 'inactive' | 'pending'>;
  charges_enabled: boolean;
  controller: Record<string, unknown>;
  country: string;
  created: number;
  default_currency: string;
  details_submitted: boolean;
  email: Nullable<string>;
  external_accounts: ListObject<Record<string, unknown>>;
  future_requirements: Requirements;
  metadata: Metadata;
  payouts_enabled: boolean;
  requirements: Requirements;
  settings: Record<string, unknown>;
  tos_acceptance: { date: Nullable<number>; ip: Nullable<string>; user_agent: Nullable<string> };
  type: 'express' | 'standard' | 'custom' | 'none';
}

export interface DisputeObject {
  id: string;
  object: 'dispute';
  amount: number;
  balance_transactions: unknown[];
  charge: string;
  created: number;
  currency: string;
  enhanced_eligibility_types: string[];
  evidence: Record<string, null>;
  evidence_details: { due_by: number; has_evidence: boolean; past_due: boolean; submission_count: number; enhanced_eligibility: Record<string, never> };
  intended_submission_method: null;
  is_charge_refundable: boolean;
  livemode: false;
  metadata: Metadata;
  network_reason_code: Nullable<string>;
  payment_intent: Nullable<string>;
  payment_method_details: { card: { brand: string; case_type: string; network_reason_code: string }; type: 'card' };
  reason: string;
  status: string;
}

export interface BalanceTransactionObject {
  id: string;
  object: 'balance_transaction';
  amount: number;
  available_on: number;
  balance_type: 'payments';
  created: number;
  currency: string;
  description: Nullable<string>;
  exchange_rate: null;
  fee: number;
  fee_details: { amount: number; application: null; currency: string; description: string; type: string }[];
  net: number;
  reporting_category: string;
  source: string;
  status: 'available' | 'pending';
  type: string;
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

export interface AccountLinkObject {
  object: 'account_link';
  created: number;
  expires_at: number;
  url: string;
}

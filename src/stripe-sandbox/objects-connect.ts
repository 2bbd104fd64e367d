/** Connect objects (transfers, reversals, accounts, balances) in Stripe's shapes; see objects.ts. */
import type { ListObject, Metadata } from './objects';

type Nullable<T> = T | null;

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

export interface AccountLinkObject {
  object: 'account_link';
  created: number;
  expires_at: number;
  url: string;
}

export interface BalanceAmount {
  amount: number;
  currency: string;
  source_types: { card: number };
}

/** GET /v1/balance: the platform's, or a connected account's with the Stripe-Account header. */
export interface BalanceObject {
  object: 'balance';
  available: BalanceAmount[];
  /** Platform only: funds held for connected accounts' negative balances (always 0 here). */
  connect_reserved?: { amount: number; currency: string }[];
  livemode: false;
  pending: BalanceAmount[];
}

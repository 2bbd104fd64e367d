/** Disputes and the balance transactions that move money for them, in Stripe's shapes; see objects.ts. */
import type { Metadata } from './objects';

type Nullable<T> = T | null;

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

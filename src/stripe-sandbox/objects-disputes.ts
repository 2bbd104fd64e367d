/** Disputes and the balance transactions that move money for them, in Stripe's shapes; see objects.ts. */
import type { Metadata } from './objects';

type Nullable<T> = T | null;

export type DisputeStatus =
  | 'needs_response'
  | 'under_review'
  | 'won'
  | 'lost'
  | 'warning_needs_response'
  | 'warning_under_review'
  | 'warning_closed';

/** Text fields (or file ids) by name, null until given; `enhanced_evidence` is not modelled. */
export interface DisputeEvidence {
  [field: string]: string | null | Record<string, never>;
  enhanced_evidence: Record<string, never>;
}

export interface DisputeObject {
  id: string;
  object: 'dispute';
  amount: number;
  /** Zero (inquiry), one (funds withdrawn) or two (withdrawn, then reinstated) whole balance transactions. */
  balance_transactions: BalanceTransactionObject[];
  charge: string;
  created: number;
  currency: string;
  enhanced_eligibility_types: string[];
  evidence: DisputeEvidence;
  evidence_details: {
    due_by: number;
    enhanced_eligibility: Record<string, never>;
    has_evidence: boolean;
    past_due: boolean;
    submission_count: number;
    submission_method: 'manual' | 'not_submitted';
  };
  intended_submission_method: Nullable<'manual' | 'prefer_manual' | 'prefer_smart_disputes' | 'smart_disputes'>;
  is_charge_refundable: boolean;
  livemode: false;
  metadata: Metadata;
  network_reason_code: Nullable<string>;
  payment_intent: Nullable<string>;
  payment_method_details: { card: { brand: string; case_type: 'chargeback' | 'inquiry'; network: string; network_reason_code: string }; type: 'card' };
  reason: string;
  status: DisputeStatus;
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

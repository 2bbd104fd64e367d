import { createBalanceTransaction } from './charges';
import type { RequestContext } from './context';
import { invalidRequest } from './errors';
import type { ChargeObject, DisputeObject, DisputeStatus } from './objects';

export const EVIDENCE_FIELDS = ['access_activity_log', 'billing_address', 'cancellation_policy', 'cancellation_policy_disclosure', 'cancellation_rebuttal', 'customer_communication', 'customer_email_address', 'customer_name', 'customer_purchase_ip', 'customer_signature', 'duplicate_charge_documentation', 'duplicate_charge_explanation', 'duplicate_charge_id', 'product_description', 'receipt', 'refund_policy', 'refund_policy_disclosure', 'refund_refusal_explanation', 'service_date', 'service_documentation', 'shipping_address', 'shipping_carrier', 'shipping_date', 'shipping_documentation', 'shipping_tracking_number', 'uncategorized_file', 'uncategorized_text'];

/** What Stripe debits for a chargeback besides the disputed amount (US: $15). */
export const DISPUTE_FEE = 1500;

/** How a bank ends a dispute: a chargeback is won or lost; an inquiry closes or escalates to a chargeback. */
export type DisputeOutcome = 'won' | 'lost' | 'warning_closed' | 'escalate';

const CLOSED: DisputeStatus[] = ['won', 'lost', 'warning_closed'];

/**
 * Stripe's test-mode evidence (docs.stripe.com/testing#disputes), read from `uncategorized_text`:
 * `winning_evidence` wins a chargeback, `losing_evidence` loses it; an inquiry given either closes
 * without a chargeback (`warning_closed`), and `escalate_inquiry_evidence` turns it into one.
 */
export function testModeOutcome(dispute: DisputeObject): DisputeOutcome | undefined {
  const given = dispute.evidence.uncategorized_text;
  const text = typeof given === 'string' ? given.trim() : undefined;
  const inquiry = isInquiry(dispute);
  if (text === 'winning_evidence') return inquiry ? 'warning_closed' : 'won';
  if (text === 'losing_evidence') return inquiry ? 'warning_closed' : 'lost';
  if (text === 'escalate_inquiry_evidence' && inquiry) return 'escalate';
  return undefined;
}

export function isInquiry(dispute: DisputeObject): boolean {
  return dispute.status.startsWith('warning_');
}

export function isClosed(dispute: DisputeObject): boolean {
  return CLOSED.includes(dispute.status);
}

export function alreadyClosed(dispute: DisputeObject) {
  return invalidRequest(`This dispute is already closed (status ${dispute.status}); it cannot be updated or closed again.`, { param: 'dispute' });
}

export interface OpenDisputeOptions {
  reason: string;
  /** Partial disputes: the bank may contest less than the charge. Default what is left unrefunded. */
  amount?: number;
  /** An inquiry (retrieval request): no money moves, the charge stays refundable. */
  inquiry?: boolean;
  networkReasonCode?: string;
}

/**
 * The customer's bank opens a dispute: `charge.dispute.created`, and for a chargeback (not an
 * inquiry) `charge.dispute.funds_withdrawn`: the amount and the dispute fee leave the platform balance.
 */
export function openDispute(ctx: RequestContext, charge: ChargeObject, options: OpenDisputeOptions): DisputeObject {
  const inquiry = options.inquiry ?? false;
  const networkReasonCode = options.networkReasonCode ?? (inquiry ? '10' : '10.4');
  const dispute: DisputeObject = {
    id: ctx.state.newId('dp'),
    object: 'dispute',
    amount: options.amount ?? charge.amount - charge.amount_refunded,
    balance_transactions: [],
    charge: charge.id,
    created: ctx.state.now(),
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: { ...Object.fromEntries(EVIDENCE_FIELDS.map((field): [string, null] => [field, null])), enhanced_evidence: {} },
    evidence_details: { due_by: dueBy(ctx), enhanced_eligibility: {}, has_evidence: false, past_due: false, submission_count: 0, submission_method: 'not_submitted' },
    intended_submission_method: null,
    is_charge_refundable: inquiry,
    livemode: false,
    metadata: {},
    network_reason_code: networkReasonCode,
    payment_intent: charge.payment_intent,
    payment_method_details: {
      card: { brand: charge.payment_method_details.card.brand, case_type: inquiry ? 'inquiry' : 'chargeback', network: charge.payment_method_details.card.network, network_reason_code: networkReasonCode },
      type: 'card',
    },
    reason: options.reason,
    status: inquiry ? 'warning_needs_response' : 'needs_response',
  };
  ctx.state.disputes.set(dispute.id, dispute);
  charge.disputed = true;
  if (!inquiry) recordWithdrawal(ctx, dispute);
  ctx.emit('charge.dispute.created', dispute);
  if (!inquiry) ctx.emit('charge.dispute.funds_withdrawn', dispute);
  return dispute;
}

function dueBy(ctx: RequestContext): number {
  return ctx.state.now() + 7 * 86400;
}

function recordWithdrawal(ctx: RequestContext, dispute: DisputeObject): void {
  const txn = createBalanceTransaction(ctx.state, {
    amount: -dispute.amount,
    currency: dispute.currency,
    type: 'adjustment',
    reportingCategory: 'dispute',
    source: dispute.id,
    description: `Chargeback withdrawal for ${dispute.charge}`,
    fee: DISPUTE_FEE,
    feeDescription: 'Dispute fee',
  });
  dispute.balance_transactions.push(structuredClone(txn));
}

/** Evidence submitted: the bank reviews it (`under_review`); test-mode evidence decides it a little later. */
export function submitEvidence(ctx: RequestContext, dispute: DisputeObject): void {
  dispute.status = isInquiry(dispute) ? 'warning_under_review' : 'under_review';
  dispute.evidence_details.submission_count += 1;
  dispute.evidence_details.submission_method = 'manual';
  const outcome = testModeOutcome(dispute);
  if (outcome) ctx.schedule('dispute_outcome', dispute.id, outcome);
}

/**
 * The bank's decision. Won: `charge.dispute.closed`, then `charge.dispute.funds_reinstated` (the
 * amount and fee come back). Lost or an inquiry closed: `charge.dispute.closed`. An escalated
 * inquiry: `charge.dispute.updated` (now a chargeback) and `charge.dispute.funds_withdrawn`.
 * A dispute already closed is left alone (a late scheduled decision changes nothing).
 */
export function decideDispute(ctx: RequestContext, dispute: DisputeObject, outcome: DisputeOutcome): void {
  if (isClosed(dispute)) return;
  const previous = { status: dispute.status };
  if (outcome === 'escalate') {
    Object.assign(dispute, { status: 'needs_response', is_charge_refundable: false });
    dispute.payment_method_details.card.case_type = 'chargeback';
    dispute.evidence_details = { ...dispute.evidence_details, due_by: dueBy(ctx), has_evidence: false, submission_count: 0, submission_method: 'not_submitted' };
    recordWithdrawal(ctx, dispute);
    ctx.emit('charge.dispute.updated', dispute, previous);
    ctx.emit('charge.dispute.funds_withdrawn', dispute);
    return;
  }
  dispute.status = outcome;
  if (outcome === 'won' && dispute.balance_transactions.length > 0) {
    const txn = createBalanceTransaction(ctx.state, {
      amount: dispute.amount,
      currency: dispute.currency,
      type: 'adjustment',
      reportingCategory: 'dispute_reversal',
      source: dispute.id,
      description: `Chargeback reversal for ${dispute.charge}`,
      fee: -DISPUTE_FEE,
      feeDescription: 'Dispute fee refund',
    });
    dispute.balance_transactions.push(structuredClone(txn));
    ctx.emit('charge.dispute.closed', dispute, previous);
    ctx.emit('charge.dispute.funds_reinstated', dispute);
    return;
  }
  ctx.emit('charge.dispute.closed', dispute, previous);
}

/** Which outcomes a dispute can still have: a chargeback is won or lost, an inquiry closes or escalates. */
export function allowedOutcomes(dispute: DisputeObject): DisputeOutcome[] {
  if (isClosed(dispute)) return [];
  return isInquiry(dispute) ? ['warning_closed', 'escalate'] : ['won', 'lost'];
}

import { getCharge } from './charges';
import { json, RequestContext, Route } from './context';
import { invalidRequest, paramError, resourceMissing } from './errors';
import { LIST_PARAMS, newestFirst, paginate, render } from './lists';
import type { ChargeObject, DisputeObject } from './objects';

const EVIDENCE_FIELDS = ['access_activity_log', 'billing_address', 'cancellation_policy', 'cancellation_policy_disclosure', 'cancellation_rebuttal', 'customer_communication', 'customer_email_address', 'customer_name', 'customer_purchase_ip', 'customer_signature', 'duplicate_charge_documentation', 'duplicate_charge_explanation', 'duplicate_charge_id', 'product_description', 'receipt', 'refund_policy', 'refund_policy_disclosure', 'refund_refusal_explanation', 'service_date', 'service_documentation', 'shipping_address', 'shipping_carrier', 'shipping_date', 'shipping_documentation', 'shipping_tracking_number', 'uncategorized_file', 'uncategorized_text'];

const REASONS = ['bank_cannot_process', 'check_returned', 'credit_not_processed', 'customer_initiated', 'debit_not_authorized', 'duplicate', 'fraudulent', 'general', 'incorrect_account_details', 'insufficient_funds', 'product_not_received', 'product_unacceptable', 'subscription_canceled', 'unrecognized'] as const;

/** A chargeback on a succeeded charge: the charge becomes `disputed` and `charge.dispute.created` fires. */
export function openDispute(ctx: RequestContext, charge: ChargeObject, reason: string, amount = charge.amount - charge.amount_refunded): DisputeObject {
  const dispute: DisputeObject = {
    id: ctx.state.newId('dp'),
    object: 'dispute',
    amount,
    balance_transactions: [],
    charge: charge.id,
    created: ctx.state.now(),
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: Object.fromEntries(EVIDENCE_FIELDS.map((field) => [field, null])),
    evidence_details: {
      due_by: ctx.state.now() + 7 * 86400,
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      enhanced_eligibility: {},
    },
    intended_submission_method: null,
    // A chargeback (as opposed to an inquiry) can no longer be refunded.
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    network_reason_code: '10.4',
    payment_intent: charge.payment_intent,
    payment_method_details: {
      card: { brand: charge.payment_method_details.card.brand, case_type: 'chargeback', network_reason_code: '10.4' },
      type: 'card',
    },
    reason,
    status: 'needs_response',
  };
  ctx.state.disputes.set(dispute.id, dispute);
  charge.disputed = true;
  ctx.emit('charge.dispute.created', dispute);
  return dispute;
}

export const disputeRoutes: Route[] = [
  {
    // Test helper, not a Stripe route: simulates the customer's bank opening a chargeback.
    method: 'POST',
    pattern: '/sandbox/charges/:id/dispute',
    public: true,
    handler: (ctx) => {
      const p = ctx.params.allowOnly(['amount', 'reason']);
      const charge = getCharge(ctx.state, ctx.pathParams.id);
      const reason = p.oneOf('reason', REASONS) ?? 'fraudulent';
      const amount = p.integer('amount') ?? charge.amount - charge.amount_refunded;
      if (charge.status !== 'succeeded') throw invalidRequest(`Charge ${charge.id} has not succeeded; it cannot be disputed.`);
      if (charge.disputed) throw invalidRequest(`Charge ${charge.id} is already disputed.`, { code: 'charge_disputed' });
      if (amount < 1 || amount > charge.amount) throw paramError('Invalid dispute amount.', 'parameter_invalid_integer', 'amount');
      return json(openDispute(ctx, charge, reason, amount));
    },
  },
  {
    method: 'GET',
    pattern: '/v1/disputes',
    handler: ({ params, state }) => {
      params.allowOnly([...LIST_PARAMS, 'charge', 'payment_intent']);
      const charge = params.string('charge');
      const pi = params.string('payment_intent');
      const items = newestFirst(state.disputes).filter((d) => (!charge || d.charge === charge) && (!pi || d.payment_intent === pi));
      return json(render(paginate(items, params, '/v1/disputes', 'dispute'), params.expand(), state));
    },
  },
  {
    method: 'GET',
    pattern: '/v1/disputes/:id',
    handler: ({ params, state, pathParams }) => {
      params.allowOnly(['expand']);
      const dispute = state.disputes.get(pathParams.id);
      if (!dispute) throw resourceMissing('dispute', pathParams.id, 'dispute');
      return json(render(dispute, params.expand(), state));
    },
  },
];

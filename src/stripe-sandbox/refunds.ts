import { committedAmount, createBalanceTransaction, getCharge } from './charges';
import { json, RequestContext, Route } from './context';
import { invalidRequest, paramError, resourceMissing } from './errors';
import { LIST_PARAMS, newestFirst, paginate, render } from './lists';
import type { ChargeObject, RefundObject } from './objects';
import { applyMetadata } from './params';
import { getPaymentIntent } from './payment-intents';
import { TEST_CARDS } from './payment-methods';

const CREATE_PARAMS = ['amount', 'charge', 'currency', 'customer', 'expand', 'instructions_email', 'metadata', 'origin', 'payment_intent', 'reason', 'refund_application_fee', 'reverse_transfer'];

const dollars = (amount: number) => `$${(amount / 100).toFixed(2)}`;

/** The charge a refund applies to, from `charge` or from the PaymentIntent's succeeded charge. */
function refundedCharge(ctx: RequestContext, chargeId: string | undefined, piId: string | undefined): ChargeObject {
  if (chargeId && piId) {
    const charge = getCharge(ctx.state, chargeId, 'charge');
    if (charge.payment_intent !== piId) {
      throw paramError(`Charge ${chargeId} does not belong to PaymentIntent ${piId}.`, 'parameter_invalid_string', 'charge');
    }
    return charge;
  }
  if (chargeId) return getCharge(ctx.state, chargeId, 'charge');
  if (!piId) {
    throw paramError('One of the following params should be provided for this request: payment_intent or charge.', 'parameter_missing', 'payment_intent');
  }
  const pi = getPaymentIntent(ctx.state, piId, 'payment_intent');
  const charge = pi.latest_charge ? ctx.state.charges.get(pi.latest_charge) : undefined;
  if (pi.status !== 'succeeded' || !charge) {
    throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, {
      code: 'payment_intent_unexpected_state',
      param: 'payment_intent',
    });
  }
  return charge;
}

function createRefund(ctx: RequestContext) {
  const p = ctx.params.allowOnly(CREATE_PARAMS);
  const requested = p.integer('amount');
  if (requested !== undefined && requested < 1) {
    throw paramError('Refund amount must be a positive integer.', 'parameter_invalid_integer', 'amount');
  }
  const reason = p.oneOf('reason', ['duplicate', 'fraudulent', 'requested_by_customer']) ?? null;
  const metadata = applyMetadata({}, p);
  const charge = refundedCharge(ctx, p.string('charge'), p.string('payment_intent'));
  if (charge.status !== 'succeeded') {
    throw invalidRequest(`Charge ${charge.id} has not succeeded; there is nothing to refund.`, { code: 'charge_not_refundable', param: 'charge' });
  }
  // An inquiry leaves the charge refundable; a chargeback does not (the bank already took the money back).
  const chargeback = [...ctx.state.disputes.values()].find((d) => d.charge === charge.id && !d.is_charge_refundable);
  if (chargeback) {
    throw invalidRequest(`Charge ${charge.id} has been charged back; cannot issue a refund.`, { code: 'charge_disputed', param: 'charge' });
  }
  const remaining = charge.amount - charge.amount_refunded;
  if (remaining === 0) {
    throw invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded', param: 'charge' });
  }
  const amount = requested ?? remaining;
  if (amount > remaining) {
    throw invalidRequest(`Refund amount (${dollars(amount)}) is greater than unrefunded amount on charge (${dollars(remaining)})`, {
      code: 'amount_too_large',
      param: 'amount',
    });
  }
  // Sandbox rule (stricter than Stripe, which would draw on the platform balance): money that
  // was transferred out of this charge cannot also go back to the customer.
  const { transferred } = committedAmount(ctx.state, charge);
  if (amount > remaining - transferred) {
    throw invalidRequest(
      `Refund amount (${dollars(amount)}) is greater than the part of charge ${charge.id} that is neither refunded nor transferred (${dollars(remaining - transferred)}). The Fixbid sandbox never lets transfers + refunds exceed a charge.`,
      { code: 'amount_too_large', param: 'amount' },
    );
  }
  const id = ctx.state.newId('re');
  const balance = createBalanceTransaction(ctx.state, { amount: -amount, currency: charge.currency, type: 'refund', source: id, description: 'REFUND FOR CHARGE' });
  const refund: RefundObject = {
    id,
    object: 'refund',
    amount,
    balance_transaction: balance.id,
    charge: charge.id,
    created: ctx.state.now(),
    currency: charge.currency,
    customer: null,
    customer_account: null,
    destination_details: { card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' },
    metadata,
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
  ctx.state.refunds.set(id, refund);
  const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded === charge.amount;
  ctx.emit('refund.created', refund);
  ctx.emit('charge.refunded', charge, previous);
  if (TEST_CARDS[charge.payment_method ?? '']?.refundFails) ctx.schedule('refund_failure', refund.id);
  return json(render(refund, p.expand(), ctx.state));
}

export const REFUND_FAILURE_REASONS = ['expired_or_canceled_card', 'lost_or_stolen_card', 'declined', 'insufficient_funds', 'merchant_request', 'charge_for_pending_refund_disputed', 'unknown'] as const;

/**
 * A refund the card network could not deliver: `failed` with a failure_reason, its money back in
 * the platform balance (failure_balance_transaction), the charge's amount_refunded lowered, and
 * `charge.refund.updated`, `refund.updated`, `refund.failed` — all three carrying the Refund.
 * Returns false (and changes nothing) when the refund is not succeeded or pending.
 */
export function failRefund(ctx: RequestContext, refund: RefundObject, reason: string): boolean {
  if (refund.status !== 'succeeded' && refund.status !== 'pending') return false;
  const previous = { status: refund.status };
  const txn = createBalanceTransaction(ctx.state, { amount: refund.amount, currency: refund.currency, type: 'refund_failure', source: refund.id, description: 'REFUND FAILURE' });
  Object.assign(refund, { status: 'failed', failure_reason: reason, failure_balance_transaction: txn.id });
  const charge = ctx.state.charges.get(refund.charge);
  if (charge) {
    charge.amount_refunded -= refund.amount;
    charge.refunded = charge.amount_refunded === charge.amount;
  }
  ctx.emit('charge.refund.updated', refund, previous);
  ctx.emit('refund.updated', refund, previous);
  ctx.emit('refund.failed', refund);
  return true;
}

function getRefund(ctx: RequestContext, id: string): RefundObject {
  const refund = ctx.state.refunds.get(id);
  if (!refund) throw resourceMissing('refund', id);
  return refund;
}

export const refundRoutes: Route[] = [
  { method: 'POST', pattern: '/v1/refunds', handler: createRefund },
  {
    // Test helper, not a Stripe route: the card network bounces this refund now (as pm_card_refundFail does on its own).
    method: 'POST',
    pattern: '/sandbox/refunds/:id/fail',
    public: true,
    handler: (ctx) => {
      const p = ctx.params.allowOnly(['failure_reason']);
      const reason = p.oneOf('failure_reason', REFUND_FAILURE_REASONS) ?? 'expired_or_canceled_card';
      const refund = getRefund(ctx, ctx.pathParams.id);
      if (!failRefund(ctx, refund, reason)) throw invalidRequest(`Refund ${refund.id} is ${String(refund.status)}; only a succeeded or pending refund can fail.`);
      return json(refund);
    },
  },
  {
    method: 'GET',
    pattern: '/v1/refunds',
    handler: ({ params, state }) => {
      params.allowOnly([...LIST_PARAMS, 'charge', 'payment_intent']);
      const charge = params.string('charge');
      const pi = params.string('payment_intent');
      const items = newestFirst(state.refunds).filter((r) => (!charge || r.charge === charge) && (!pi || r.payment_intent === pi));
      return json(render(paginate(items, params, '/v1/refunds', 'refund'), params.expand(), state));
    },
  },
  {
    method: 'GET',
    pattern: '/v1/refunds/:id',
    handler: (ctx) => {
      ctx.params.allowOnly(['expand']);
      return json(render(getRefund(ctx, ctx.pathParams.id), ctx.params.expand(), ctx.state));
    },
  },
];

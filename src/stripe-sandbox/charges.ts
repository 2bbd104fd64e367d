import { json, Route } from './context';
import { resourceMissing } from './errors';
import { LIST_PARAMS, newestFirst, paginate, render } from './lists';
import type { BalanceTransactionObject, ChargeObject, PaymentIntentObject } from './objects';
import type { TestCard } from './payment-methods';
import type { SandboxState } from './state';

/** Stripe's US card pricing, so balance transactions look like real ones: 2.9 % + 30. */
function stripeFee(amount: number): number {
  return Math.round(amount * 0.029) + 30;
}

export interface NewBalanceTransaction {
  amount: number;
  currency: string;
  type: string;
  source: string;
  description?: string;
  fee?: number;
  feeDescription?: string;
  reportingCategory?: string;
}

/**
 * One movement of the platform's balance. Only a charge's proceeds wait (two days, as Stripe's
 * default payout schedule in the US); debits, reversals and refund failures are available at once.
 */
export function createBalanceTransaction(state: SandboxState, input: NewBalanceTransaction): BalanceTransactionObject {
  const fee = input.fee ?? 0;
  const settles = input.type === 'charge';
  const txn: BalanceTransactionObject = {
    id: state.newId('txn'),
    object: 'balance_transaction',
    amount: input.amount,
    available_on: state.now() + (settles ? 2 * 86400 : 0),
    balance_type: 'payments',
    created: state.now(),
    currency: input.currency,
    description: input.description ?? null,
    exchange_rate: null,
    fee,
    fee_details: fee
      ? [{ amount: fee, application: null, currency: input.currency, description: input.feeDescription ?? 'Stripe processing fees', type: 'stripe_fee' }]
      : [],
    net: input.amount - fee,
    reporting_category: input.reportingCategory ?? (input.type === 'transfer_refund' ? 'transfer_reversal' : input.type),
    source: input.source,
    status: settles ? 'pending' : 'available',
    type: input.type,
  };
  state.balanceTransactions.set(txn.id, txn);
  return txn;
}

/** The Charge a confirmation creates: succeeded for a good card, failed for a declining one. */
export function createCharge(state: SandboxState, pi: PaymentIntentObject, paymentMethod: string, test: TestCard): ChargeObject {
  const id = state.newId('ch');
  const ok = !test.decline;
  const balance = ok
    ? createBalanceTransaction(state, { amount: pi.amount, currency: pi.currency, type: 'charge', source: id, description: pi.description ?? undefined, fee: stripeFee(pi.amount) })
    : undefined;
  const charge: ChargeObject = {
    id,
    object: 'charge',
    amount: pi.amount,
    amount_captured: ok ? pi.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: balance?.id ?? null,
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: null,
      name: null,
      phone: null,
      tax_id: null,
    },
    calculated_statement_descriptor: 'FIXBID SANDBOX',
    captured: ok,
    created: state.now(),
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: test.decline?.code ?? null,
    failure_message: test.decline?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: { ...pi.metadata },
    on_behalf_of: pi.on_behalf_of,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: ok ? 'approved_by_network' : 'declined_by_network',
      reason: test.decline?.declineCode ?? null,
      risk_level: 'normal',
      risk_score: 20,
      seller_message: ok ? 'Payment complete.' : 'The bank did not return any further details with this decline.',
      type: ok ? 'authorized' : 'issuer_declined',
    },
    paid: ok,
    payment_intent: pi.id,
    payment_method: paymentMethod,
    payment_method_details: {
      card: { ...test.card, checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' }, network: test.card.brand },
      type: 'card',
    },
    receipt_email: pi.receipt_email,
    receipt_number: null,
    receipt_url: ok ? `https://pay.stripe.com/receipts/sandbox/${id}` : null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: pi.statement_descriptor,
    statement_descriptor_suffix: pi.statement_descriptor_suffix,
    status: ok ? 'succeeded' : 'failed',
    transfer_data: null,
    transfer_group: pi.transfer_group,
  };
  state.charges.set(id, charge);
  return charge;
}

/** What a charge has given away: refunds plus transfers funded by it, net of reversals. */
export function committedAmount(state: SandboxState, charge: ChargeObject): { refunded: number; transferred: number } {
  let transferred = 0;
  for (const transfer of state.transfers.values()) {
    if (transfer.source_transaction === charge.id) transferred += transfer.amount - transfer.amount_reversed;
  }
  return { refunded: charge.amount_refunded, transferred };
}

export function getCharge(state: SandboxState, id: string, param = 'id'): ChargeObject {
  const charge = state.charges.get(id);
  if (!charge) throw resourceMissing('charge', id, param);
  return charge;
}

export const chargeRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/v1/charges',
    handler: ({ params, state }) => {
      params.allowOnly([...LIST_PARAMS, 'customer', 'payment_intent', 'transfer_group']);
      const pi = params.string('payment_intent');
      const group = params.string('transfer_group');
      const customer = params.string('customer');
      const items = newestFirst(state.charges).filter(
        (c) => (!pi || c.payment_intent === pi) && (!group || c.transfer_group === group) && (!customer || c.customer === customer),
      );
      return json(render(paginate(items, params, '/v1/charges', 'charge'), params.expand(), state));
    },
  },
  {
    method: 'GET',
    pattern: '/v1/charges/:id',
    handler: ({ params, state, pathParams }) => {
      params.allowOnly(['expand']);
      return json(render(getCharge(state, pathParams.id), params.expand(), state));
    },
  },
  {
    method: 'GET',
    pattern: '/v1/balance_transactions/:id',
    handler: ({ params, state, pathParams }) => {
      params.allowOnly(['expand']);
      const txn = state.balanceTransactions.get(pathParams.id);
      if (!txn) throw resourceMissing('balance_transaction', pathParams.id);
      return json(render(txn, params.expand(), state));
    },
  },
];

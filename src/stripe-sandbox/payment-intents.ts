import { createCharge } from './charges';
import { json, RequestContext, Route } from './context';
import { openDispute } from './disputes';
import { docUrl, invalidRequest, paramError, resourceMissing, SandboxError, unexpectedState } from './errors';
import { LIST_PARAMS, newestFirst, paginate, render } from './lists';
import type { PaymentIntentObject, PaymentIntentStatus } from './objects';
import { applyMetadata, checkChargeAmount, Params } from './params';
import { paymentMethodObject, TEST_CARDS, TestCard } from './payment-methods';
import { randomToken, SandboxState } from './state';

// Every parameter Stripe's API takes on these endpoints (stripe-node v23 types); the ones the
// sandbox does not model are accepted and ignored, unknown ones are refused like Stripe does.
// payment_method_types is the pre-2026 name of allowed_payment_method_types; both are accepted.
const CREATE_PARAMS = ['payment_method_types', 'amount', 'currency', 'allowed_payment_method_types', 'amount_details', 'application_fee_amount', 'automatic_payment_methods', 'capture_method', 'confirm', 'confirmation_method', 'confirmation_token', 'customer', 'customer_account', 'description', 'error_on_requires_action', 'excluded_payment_method_types', 'expand', 'hooks', 'mandate', 'mandate_data', 'metadata', 'off_session', 'on_behalf_of', 'payment_details', 'payment_method', 'payment_method_configuration', 'payment_method_data', 'payment_method_options', 'radar_options', 'receipt_email', 'return_url', 'setup_future_usage', 'shipping', 'statement_descriptor', 'statement_descriptor_suffix', 'transfer_data', 'transfer_group', 'use_stripe_sdk'];
const UPDATE_PARAMS = ['payment_method_types', 'allowed_payment_method_types', 'amount', 'amount_details', 'application_fee_amount', 'capture_method', 'currency', 'customer', 'customer_account', 'description', 'excluded_payment_method_types', 'expand', 'hooks', 'metadata', 'payment_details', 'payment_method', 'payment_method_configuration', 'payment_method_data', 'payment_method_options', 'receipt_email', 'setup_future_usage', 'shipping', 'statement_descriptor', 'statement_descriptor_suffix', 'transfer_data', 'transfer_group'];
const CONFIRM_PARAMS = ['allowed_payment_method_types', 'amount_details', 'amount_to_confirm', 'capture_method', 'client_secret', 'confirmation_token', 'error_on_requires_action', 'excluded_payment_method_types', 'expand', 'hooks', 'mandate', 'mandate_data', 'off_session', 'payment_details', 'payment_method', 'payment_method_data', 'payment_method_options', 'radar_options', 'receipt_email', 'return_url', 'setup_future_usage', 'shipping', 'use_stripe_sdk'];
/** Fields that can no longer change once the PaymentIntent is final or processing. */
const LOCKED_WHEN_FINAL = ['amount', 'currency', 'payment_method', 'capture_method', 'application_fee_amount', 'setup_future_usage'];

const CONFIRMABLE: PaymentIntentStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const CANCELABLE: PaymentIntentStatus[] = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];

export function getPaymentIntent(state: SandboxState, id: string, param = 'intent'): PaymentIntentObject {
  const pi = state.paymentIntents.get(id);
  if (!pi) throw resourceMissing('payment_intent', id, param);
  return pi;
}

function testCard(pm: string): TestCard {
  const card = TEST_CARDS[pm];
  if (!card) throw resourceMissing('PaymentMethod', pm, 'payment_method');
  return card;
}

function captureMethod(params: Params): 'automatic' | 'automatic_async' | undefined {
  const value = params.oneOf('capture_method', ['automatic', 'automatic_async', 'manual']);
  if (value === 'manual') {
    throw paramError('The Stripe sandbox does not support capture_method=manual.', 'parameter_invalid_string', 'capture_method');
  }
  return value;
}

/** A publishable key may only act on a PaymentIntent whose client_secret it presents. */
function checkClientSecret(ctx: RequestContext, pi: PaymentIntentObject): void {
  const secret = ctx.params.string('client_secret');
  if (secret === undefined && !ctx.publishable) return;
  if (secret === undefined) throw paramError('Missing required param: client_secret.', 'parameter_missing', 'client_secret');
  if (secret !== pi.client_secret) {
    throw invalidRequest('The client_secret provided does not match the client_secret associated with the PaymentIntent.', {
      code: 'payment_intent_invalid_parameter',
      param: 'client_secret',
      saved: false,
    });
  }
}

function createPaymentIntent(ctx: RequestContext) {
  const p = ctx.params.allowOnly(CREATE_PARAMS);
  const amount = p.requiredInteger('amount');
  const currency = p.currency();
  checkChargeAmount(amount, currency);
  const allowed = p.stringArray('allowed_payment_method_types');
  const types = allowed ?? p.stringArray('payment_method_types');
  const automatic = p.object('automatic_payment_methods');
  if (types && automatic) {
    throw paramError('You may only specify one of these parameters: automatic_payment_methods, allowed_payment_method_types.', 'parameter_invalid_string', 'automatic_payment_methods');
  }
  const paymentMethod = p.string('payment_method');
  if (paymentMethod) testCard(paymentMethod);
  const confirm = p.boolean('confirm') ?? false;
  const id = ctx.state.newId('pi');
  const pi: PaymentIntentObject = {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: allowed ?? null,
    amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: p.integer('application_fee_amount') ?? null,
    automatic_payment_methods: types ? null : { allow_redirects: automatic?.allow_redirects === 'never' ? 'never' : 'always', enabled: true },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: captureMethod(p) ?? 'automatic_async',
    client_secret: `${id}_secret_${randomToken(25)}`,
    confirmation_method: p.oneOf('confirmation_method', ['automatic', 'manual']) ?? 'automatic',
    created: ctx.state.now(),
    currency,
    customer: p.nullableString('customer') ?? null,
    customer_account: null,
    description: p.nullableString('description') ?? null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: applyMetadata({}, p),
    next_action: null,
    on_behalf_of: p.nullableString('on_behalf_of') ?? null,
    payment_method: paymentMethod ?? null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: types ?? ['card'],
    payment_record: null,
    processing: null,
    receipt_email: p.nullableString('receipt_email') ?? null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: p.nullableString('statement_descriptor') ?? null,
    statement_descriptor_suffix: p.nullableString('statement_descriptor_suffix') ?? null,
    status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    transfer_data: null,
    transfer_group: p.nullableString('transfer_group') ?? null,
  };
  if (confirm && !paymentMethod) throw missingPaymentMethod(pi);
  ctx.state.paymentIntents.set(id, pi);
  ctx.emit('payment_intent.created', pi);
  if (confirm) confirmPaymentIntent(ctx, pi, paymentMethod as string);
  return json(render(pi, p.expand(), ctx.state));
}

function missingPaymentMethod(pi: PaymentIntentObject): SandboxError {
  return unexpectedState(
    "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
    structuredClone(pi),
  );
}

/** Charges the card: succeeded with a Charge, or a card_error (402) after recording the decline. */
function confirmPaymentIntent(ctx: RequestContext, pi: PaymentIntentObject, paymentMethod: string): void {
  const test = testCard(paymentMethod);
  const charge = createCharge(ctx.state, pi, paymentMethod, test);
  pi.latest_charge = charge.id;
  if (!test.decline) {
    Object.assign(pi, { status: 'succeeded', amount_received: pi.amount, payment_method: paymentMethod, last_payment_error: null });
    ctx.emit('charge.succeeded', charge);
    ctx.emit('payment_intent.succeeded', pi);
    if (test.dispute) openDispute(ctx, charge, { reason: test.dispute.reason, inquiry: test.dispute.kind === 'inquiry', networkReasonCode: test.dispute.networkReasonCode });
    return;
  }
  const { code, declineCode, message } = test.decline;
  const pmObject = paymentMethodObject(paymentMethod, test, ctx.state.now());
  pi.status = 'requires_payment_method';
  pi.payment_method = null;
  pi.last_payment_error = { type: 'card_error', code, decline_code: declineCode, message, doc_url: docUrl(code), charge: charge.id, payment_method: pmObject, payment_method_type: 'card' };
  ctx.emit('charge.failed', charge);
  ctx.emit('payment_intent.payment_failed', pi);
  throw new SandboxError(402, {
    type: 'card_error',
    code,
    decline_code: declineCode,
    message,
    doc_url: docUrl(code),
    charge: charge.id,
    payment_intent: structuredClone(pi),
    payment_method: structuredClone(pmObject),
    advice_code: 'try_again_later',
  });
}

function confirmRoute(ctx: RequestContext) {
  const p = ctx.params.allowOnly(CONFIRM_PARAMS);
  const pi = getPaymentIntent(ctx.state, ctx.pathParams.id);
  checkClientSecret(ctx, pi);
  if (!CONFIRMABLE.includes(pi.status)) {
    throw unexpectedState(
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method, requires_action.`,
      structuredClone(pi),
    );
  }
  const paymentMethod = p.string('payment_method') ?? pi.payment_method;
  if (!paymentMethod) throw missingPaymentMethod(pi);
  testCard(paymentMethod);
  if (p.has('receipt_email')) pi.receipt_email = p.nullableString('receipt_email') ?? null;
  confirmPaymentIntent(ctx, pi, paymentMethod);
  return json(render(pi, p.expand(), ctx.state));
}

function updateRoute(ctx: RequestContext) {
  const p = ctx.params.allowOnly(UPDATE_PARAMS);
  const pi = getPaymentIntent(ctx.state, ctx.pathParams.id);
  const final = !CONFIRMABLE.includes(pi.status);
  const locked = LOCKED_WHEN_FINAL.find((name) => p.has(name));
  if (final && locked) {
    throw unexpectedState(
      `You cannot update the ${locked} of this PaymentIntent because it has a status of ${pi.status}. You may only update it while the status is one of: requires_payment_method, requires_confirmation, requires_action.`,
      structuredClone(pi),
    );
  }
  const amount = p.integer('amount') ?? pi.amount;
  const currency = p.has('currency') ? p.currency() : pi.currency;
  checkChargeAmount(amount, currency);
  const paymentMethod = p.nullableString('payment_method');
  if (paymentMethod) testCard(paymentMethod);
  Object.assign(pi, { amount, currency, metadata: applyMetadata(pi.metadata, p) });
  if (paymentMethod !== undefined) {
    pi.payment_method = paymentMethod;
    pi.status = paymentMethod ? 'requires_confirmation' : 'requires_payment_method';
  }
  for (const field of ['description', 'receipt_email', 'transfer_group', 'statement_descriptor', 'statement_descriptor_suffix', 'customer'] as const) {
    if (p.has(field)) pi[field] = p.nullableString(field) ?? null;
  }
  return json(render(pi, p.expand(), ctx.state));
}

function cancelRoute(ctx: RequestContext) {
  const p = ctx.params.allowOnly(['cancellation_reason', 'expand']);
  const reason = p.oneOf('cancellation_reason', ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned']);
  const pi = getPaymentIntent(ctx.state, ctx.pathParams.id);
  if (!CANCELABLE.includes(pi.status)) {
    throw unexpectedState(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
      structuredClone(pi),
    );
  }
  Object.assign(pi, { status: 'canceled', canceled_at: ctx.state.now(), cancellation_reason: reason ?? null });
  ctx.emit('payment_intent.canceled', pi);
  return json(render(pi, p.expand(), ctx.state));
}

export const paymentIntentRoutes: Route[] = [
  { method: 'POST', pattern: '/v1/payment_intents', handler: createPaymentIntent },
  {
    method: 'GET',
    pattern: '/v1/payment_intents',
    handler: ({ params, state }) => {
      params.allowOnly([...LIST_PARAMS, 'customer', 'customer_account']);
      const customer = params.string('customer');
      const items = newestFirst(state.paymentIntents).filter((pi) => !customer || pi.customer === customer);
      return json(render(paginate(items, params, '/v1/payment_intents', 'payment_intent'), params.expand(), state));
    },
  },
  {
    method: 'GET',
    pattern: '/v1/payment_intents/:id',
    publishableWithClientSecret: true,
    handler: (ctx) => {
      ctx.params.allowOnly(['client_secret', 'expand']);
      const pi = getPaymentIntent(ctx.state, ctx.pathParams.id);
      checkClientSecret(ctx, pi);
      return json(render(pi, ctx.params.expand(), ctx.state));
    },
  },
  { method: 'POST', pattern: '/v1/payment_intents/:id', handler: updateRoute },
  { method: 'POST', pattern: '/v1/payment_intents/:id/confirm', handler: confirmRoute, publishableWithClientSecret: true },
  { method: 'POST', pattern: '/v1/payment_intents/:id/cancel', handler: cancelRoute },
  {
    method: 'POST',
    pattern: '/v1/payment_intents/:id/capture',
    handler: (ctx) => {
      const pi = getPaymentIntent(ctx.state, ctx.pathParams.id);
      throw unexpectedState(
        `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
        structuredClone(pi),
      );
    },
  },
];

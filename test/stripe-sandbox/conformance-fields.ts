/**
 * Field names and JSON types of the Stripe objects Fixbid or the official SDK read, written from
 * Stripe's OpenAPI spec (stripe/openapi, API 2026-10-28, as published in stripe-node v23's types)
 * and its example objects (fixtures3.json). Facts only; the spec files are not copied here.
 * A dotted name checks a nested field.
 */
export interface FieldType {
  name: string;
  check(value: unknown): boolean;
}

const is = (name: string, check: (v: unknown) => boolean): FieldType => ({ name, check });
export const string = is('string', (v) => typeof v === 'string');
export const integer = is('integer', (v) => Number.isInteger(v));
export const boolean = is('boolean', (v) => typeof v === 'boolean');
export const object = is('object', (v) => v !== null && typeof v === 'object' && !Array.isArray(v));
export const array = is('array', (v) => Array.isArray(v));
export const id = (prefix: string) => is(`string ${prefix}…`, (v) => typeof v === 'string' && v.startsWith(prefix));
export const literal = (value: string) => is(`'${value}'`, (v) => v === value);
export const oneOf = (...values: string[]) => is(values.join('|'), (v) => typeof v === 'string' && values.includes(v));
export const nullable = (type: FieldType) => is(`${type.name}|null`, (v) => v === null || type.check(v));
export const list = is('list', (v) => {
  const l = v as { object?: unknown; data?: unknown; has_more?: unknown; url?: unknown };
  return object.check(v) && l.object === 'list' && Array.isArray(l.data) && typeof l.has_more === 'boolean' && typeof l.url === 'string';
});

const nString = nullable(string);
const nInteger = nullable(integer);
const nObject = nullable(object);

const PI_STATUS = oneOf('requires_payment_method', 'requires_confirmation', 'requires_action', 'processing', 'requires_capture', 'canceled', 'succeeded');
const CANCELLATION = oneOf('abandoned', 'automatic', 'duplicate', 'expired', 'failed_invoice', 'fraudulent', 'requested_by_customer', 'void_invoice');
const CAPABILITY = oneOf('active', 'inactive', 'pending');
const REQUIREMENTS = {
  alternatives: array, current_deadline: nInteger, currently_due: array, disabled_reason: nString, errors: array,
  eventually_due: array, past_due: array, pending_verification: array,
};
const prefixed = (prefix: string, fields: Record<string, FieldType>) =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [`${prefix}.${k}`, v]));

export const STRIPE_FIELDS: Record<string, Record<string, FieldType>> = {
  payment_intent: {
    id: id('pi_'), object: literal('payment_intent'), allowed_payment_method_types: nullable(array), amount: integer,
    amount_capturable: integer, amount_details: object, amount_received: integer, application: nString,
    application_fee_amount: nInteger, automatic_payment_methods: nObject, canceled_at: nInteger,
    cancellation_reason: nullable(CANCELLATION), capture_method: oneOf('automatic', 'automatic_async', 'manual'),
    client_secret: string, confirmation_method: oneOf('automatic', 'manual'), created: integer, currency: string,
    customer: nString, customer_account: nString, description: nString, excluded_payment_method_types: nullable(array),
    last_payment_error: nObject, latest_charge: nullable(id('ch_')), livemode: boolean, managed_payments: nObject,
    metadata: object, next_action: nObject, on_behalf_of: nString, payment_method: nString,
    payment_method_configuration_details: nObject, payment_method_options: nObject, payment_method_types: array,
    payment_record: nString, processing: nObject, receipt_email: nString, review: nString,
    setup_future_usage: nullable(oneOf('off_session', 'on_session')), shipping: nObject, source: nString,
    statement_descriptor: nString, statement_descriptor_suffix: nString, status: PI_STATUS, transfer_data: nObject,
    transfer_group: nString,
  },
  last_payment_error: {
    type: oneOf('api_error', 'card_error', 'idempotency_error', 'invalid_request_error'), code: string, decline_code: string,
    message: string, doc_url: string, charge: id('ch_'), payment_method: object, 'payment_method.id': string,
    'payment_method.object': literal('payment_method'), 'payment_method.billing_details': object, 'payment_method.created': integer,
  },
  payment_method: {
    id: string, object: literal('payment_method'), billing_details: object, 'billing_details.address': object,
    'billing_details.email': nString, 'billing_details.name': nString, 'billing_details.phone': nString, card: object,
    'card.brand': string, 'card.checks': nObject, 'card.country': nString, 'card.display_brand': nString, 'card.exp_month': integer,
    'card.exp_year': integer, 'card.funding': string, 'card.generated_from': nObject, 'card.last4': string, 'card.networks': nObject,
    'card.regulated_status': nString, 'card.three_d_secure_usage': nObject, 'card.wallet': nObject, created: integer, customer: nString,
    customer_account: nString, livemode: boolean, metadata: nObject, type: string,
  },
  charge: {
    id: id('ch_'), object: literal('charge'), amount: integer, amount_captured: integer, amount_refunded: integer,
    application: nString, application_fee: nString, application_fee_amount: nInteger, balance_transaction: nullable(id('txn_')),
    billing_details: object, 'billing_details.address': object, calculated_statement_descriptor: nString, captured: boolean,
    created: integer, currency: string, customer: nString, description: nString, disputed: boolean,
    failure_balance_transaction: nString, failure_code: nString, failure_message: nString, fraud_details: nObject,
    livemode: boolean, metadata: object, on_behalf_of: nString, outcome: nObject, 'outcome.network_status': nString,
    'outcome.reason': nString, 'outcome.seller_message': nString, 'outcome.type': string, paid: boolean,
    payment_intent: nullable(id('pi_')), payment_method: nString, payment_method_details: nObject,
    'payment_method_details.type': string, receipt_email: nString, receipt_number: nString, receipt_url: nString,
    refunded: boolean, review: nString, shipping: nObject, source: nObject, source_transfer: nString,
    statement_descriptor: nString, statement_descriptor_suffix: nString, status: oneOf('failed', 'pending', 'succeeded'),
    transfer_data: nObject, transfer_group: nString,
  },
  refund: {
    id: id('re_'), object: literal('refund'), amount: integer, balance_transaction: nullable(id('txn_')), charge: nullable(id('ch_')),
    created: integer, currency: string, customer: nString, customer_account: nString, destination_details: object,
    metadata: nObject, payment_intent: nullable(id('pi_')), payment_method: nString,
    reason: nullable(oneOf('duplicate', 'expired_uncaptured_charge', 'fraudulent', 'requested_by_customer')),
    receipt_number: nString, source_transfer_reversal: nString, status: nullable(oneOf('pending', 'requires_action', 'succeeded', 'failed', 'canceled')),
    transfer_reversal: nString,
  },
  transfer: {
    id: id('tr_'), object: literal('transfer'), amount: integer, amount_reversed: integer, balance_transaction: nullable(id('txn_')),
    created: integer, currency: string, description: nString, destination: nullable(id('acct_')), destination_payment: id('py_'),
    livemode: boolean, metadata: object, reversals: list, reversed: boolean, source_transaction: nullable(id('ch_')),
    source_type: string, transfer_group: nString,
  },
  transfer_reversal: {
    id: id('trr_'), object: literal('transfer_reversal'), amount: integer, balance_transaction: nullable(id('txn_')), created: integer,
    currency: string, destination_payment_refund: nString, metadata: nObject, source_refund: nString, transfer: id('tr_'),
  },
  account: {
    id: id('acct_'), object: literal('account'), business_profile: nObject, business_type: nString, capabilities: object,
    'capabilities.transfers': CAPABILITY, charges_enabled: boolean, controller: object, country: string, created: integer,
    default_currency: string, details_submitted: boolean, email: nString, external_accounts: list, future_requirements: object,
    metadata: object, payouts_enabled: boolean, requirements: object, ...prefixed('requirements', REQUIREMENTS),
    ...prefixed('future_requirements', REQUIREMENTS), settings: nObject, tos_acceptance: object,
    // Account.Settings: branding, card_payments, dashboard and payments are not optional in the spec.
    'settings.branding': object, 'settings.branding.icon': nString, 'settings.branding.logo': nString,
    'settings.branding.primary_color': nString, 'settings.branding.secondary_color': nString, 'settings.card_payments': object,
    'settings.card_payments.statement_descriptor_prefix': nString, 'settings.dashboard': object, 'settings.payments': object,
    'settings.payments.statement_descriptor': nString,
    type: oneOf('custom', 'express', 'none', 'standard'),
  },
  account_link: { object: literal('account_link'), created: integer, expires_at: integer, url: string },
  event: {
    id: id('evt_'), object: literal('event'), api_version: nString, created: integer, data: object, 'data.object': object,
    livemode: boolean, pending_webhooks: integer, request: nObject, 'request.id': nString, 'request.idempotency_key': nString,
    type: string,
  },
  dispute: {
    id: id('dp_'), object: literal('dispute'), amount: integer, balance_transactions: array, charge: id('ch_'), created: integer,
    currency: string, enhanced_eligibility_types: array, evidence: object, 'evidence.enhanced_evidence': object,
    'evidence.uncategorized_text': nString, evidence_details: object, 'evidence_details.due_by': nInteger,
    'evidence_details.enhanced_eligibility': object, 'evidence_details.has_evidence': boolean, 'evidence_details.past_due': boolean,
    'evidence_details.submission_count': integer, 'evidence_details.submission_method': string, intended_submission_method: nString, is_charge_refundable: boolean, livemode: boolean,
    metadata: object, network_reason_code: nString, payment_intent: nullable(id('pi_')), payment_method_details: object,
    'payment_method_details.type': string, 'payment_method_details.card.brand': string,
    'payment_method_details.card.case_type': oneOf('block', 'chargeback', 'compliance', 'inquiry', 'resolution'),
    'payment_method_details.card.network': string, 'payment_method_details.card.network_reason_code': nString, reason: string,
    status: oneOf('appeal_needs_response', 'appeal_under_review', 'lost', 'needs_response', 'prevented', 'under_review', 'warning_closed', 'warning_needs_response', 'warning_under_review', 'won'),
  },
  balance_transaction: {
    id: id('txn_'), object: literal('balance_transaction'), amount: integer, available_on: integer, balance_type: string,
    created: integer, currency: string, description: nString, exchange_rate: nullable(is('number', (v) => typeof v === 'number')),
    fee: integer, fee_details: array, net: integer, reporting_category: string, source: nString, status: string, type: string,
  },
  balance: { object: literal('balance'), available: array, livemode: boolean, pending: array },
  list: { object: literal('list'), data: array, has_more: boolean, url: string },
  search_result: { object: literal('search_result'), data: array, has_more: boolean, next_page: nString, url: string },
  error: {
    type: oneOf('api_error', 'card_error', 'idempotency_error', 'invalid_request_error'), message: string, code: string,
    param: string, doc_url: string, request_log_url: string,
  },
};

/** Fields the spec marks optional (absent in some cases): type-checked only where present. */
export const OPTIONAL_FIELDS: Record<string, Record<string, FieldType>> = {
  charge: { refunds: list },
  refund: {
    description: string, failure_balance_transaction: id('txn_'), failure_reason: string, instructions_email: string,
    next_action: object, pending_reason: oneOf('charge_pending', 'insufficient_funds', 'processing'), presentment_details: object,
  },
  payment_method: { allow_redisplay: oneOf('always', 'limited', 'unspecified') },
  balance: { connect_reserved: array, instant_available: array, issuing: object, refund_and_dispute_prefunding: object },
  search_result: { total_count: integer },
};

/**
 * Fields Stripe leaves out unless the request expands them. Since API version 2022-11-15 a charge
 * no longer embeds `refunds`; code that reads it without `expand[]=refunds` breaks on real Stripe.
 */
export const EXPAND_ONLY_FIELDS: Record<string, string[]> = { charge: ['refunds'] };

/** The top-level fields Stripe's spec defines for each object: the sandbox may not invent others. */
export function specFieldNames(kind: string): string[] {
  return [...Object.keys(STRIPE_FIELDS[kind]), ...Object.keys(OPTIONAL_FIELDS[kind] ?? {})].filter((name) => !name.includes('.'));
}

export function read(value: unknown, path: string): { present: boolean; value: unknown } {
  let node: unknown = value;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) return { present: false, value: undefined };
    node = (node as Record<string, unknown>)[part];
  }
  return { present: true, value: node };
}

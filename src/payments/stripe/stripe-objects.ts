import { isCurrency } from '../domain/money';
import { untrustedAnswer } from './stripe-errors';

/**
 * API10: what we read from Stripe, checked before we act on it — id prefixes, integer amounts,
 * our three currencies, known statuses. The rest of the code sees only these small views.
 */

type Json = Record<string, unknown>;

const PI_STATUSES = ['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing', 'requires_capture', 'canceled', 'succeeded'] as const;
const REFUND_STATUSES = ['pending', 'requires_action', 'succeeded', 'failed', 'canceled'] as const;
export const DISPUTE_STATUSES = ['warning_needs_response', 'warning_under_review', 'warning_closed', 'needs_response', 'under_review', 'won', 'lost', 'prevented'] as const;
export type StripeDisputeStatus = (typeof DISPUTE_STATUSES)[number];

export interface PaymentIntentView {
  id: string;
  status: (typeof PI_STATUSES)[number];
  amount: number;
  currency: string;
  clientSecret: string | null;
  chargeId: string | null;
  metadata: Record<string, string>;
  paymentError: { code: string | null; declineCode: string | null; message: string | null } | null;
  created: number;
}

export interface TransferView {
  id: string;
  amount: number;
  currency: string;
  destination: string | null;
  sourceTransaction: string | null;
  metadata: Record<string, string>;
  created: number;
  /** Taken back so far by reversals. */
  amountReversed: number;
}

export interface RefundView {
  id: string;
  amount: number;
  currency: string;
  status: (typeof REFUND_STATUSES)[number];
  chargeId: string | null;
  paymentIntentId: string | null;
  metadata: Record<string, string>;
  /** Why a failed refund failed (Stripe's failure_reason). */
  failureReason: string | null;
  created: number;
}

export interface ReversalView {
  id: string;
  amount: number;
  currency: string;
  transferId: string;
  metadata: Record<string, string>;
}

export interface DisputeView {
  id: string;
  chargeId: string;
  paymentIntentId: string | null;
  amount: number;
  reason: string;
  status: StripeDisputeStatus;
}

export interface AccountView {
  id: string;
  payouts_enabled: boolean;
  details_submitted: boolean;
  capabilities: { transfers: string | null };
  requirements: { disabled_reason: string | null };
}

export interface EventView {
  id: string;
  type: string;
  created: number;
  object: Json;
}

function record(value: unknown, what: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw untrustedAnswer(what);
  return value as Json;
}

export function stripeId(value: unknown, prefixes: readonly string[], what: string): string {
  if (typeof value !== 'string' || value.length > 255 || !prefixes.some((p) => value.startsWith(p)) || !/^[A-Za-z0-9_]+$/.test(value)) {
    throw untrustedAnswer(what);
  }
  return value;
}

function optionalId(value: unknown, prefixes: readonly string[], what: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return stripeId((value as Json).id, prefixes, what);
  return stripeId(value, prefixes, what);
}

function amount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw untrustedAnswer(what);
  return value;
}

function currency(value: unknown, what: string): string {
  if (!isCurrency(value)) throw untrustedAnswer(what);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw untrustedAnswer(what);
  return value as T;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function metadata(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value as Json).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

export function viewPaymentIntent(input: unknown): PaymentIntentView {
  const pi = record(input, 'payment_intent');
  const error = pi.last_payment_error === null || pi.last_payment_error === undefined ? null : record(pi.last_payment_error, 'last_payment_error');
  return {
    id: stripeId(pi.id, ['pi_'], 'payment_intent.id'),
    status: oneOf(pi.status, PI_STATUSES, 'payment_intent.status'),
    amount: amount(pi.amount, 'payment_intent.amount'),
    currency: currency(pi.currency, 'payment_intent.currency'),
    clientSecret: typeof pi.client_secret === 'string' && pi.client_secret.startsWith(`${String(pi.id)}_secret_`) ? pi.client_secret : null,
    chargeId: optionalId(pi.latest_charge, ['ch_', 'py_'], 'payment_intent.latest_charge'),
    metadata: metadata(pi.metadata),
    paymentError: error ? { code: text(error.code), declineCode: text(error.decline_code), message: text(error.message) } : null,
    created: amount(pi.created ?? 0, 'payment_intent.created'),
  };
}

export function viewTransfer(input: unknown): TransferView {
  const transfer = record(input, 'transfer');
  return {
    id: stripeId(transfer.id, ['tr_'], 'transfer.id'),
    amount: amount(transfer.amount, 'transfer.amount'),
    currency: currency(transfer.currency, 'transfer.currency'),
    destination: optionalId(transfer.destination, ['acct_'], 'transfer.destination'),
    sourceTransaction: optionalId(transfer.source_transaction, ['ch_', 'py_'], 'transfer.source_transaction'),
    metadata: metadata(transfer.metadata),
    created: amount(transfer.created ?? 0, 'transfer.created'),
    amountReversed: amount(transfer.amount_reversed ?? 0, 'transfer.amount_reversed'),
  };
}

export function viewReversal(input: unknown): ReversalView {
  const reversal = record(input, 'transfer_reversal');
  return {
    id: stripeId(reversal.id, ['trr_'], 'transfer_reversal.id'),
    amount: amount(reversal.amount, 'transfer_reversal.amount'),
    currency: currency(reversal.currency, 'transfer_reversal.currency'),
    transferId: stripeId(typeof reversal.transfer === 'object' && reversal.transfer ? (reversal.transfer as Json).id : reversal.transfer, ['tr_'], 'transfer_reversal.transfer'),
    metadata: metadata(reversal.metadata),
  };
}

/** What a connected account can give back now: its available balance in `currency` (never negative). */
export function availableBalance(input: unknown, inCurrency: string): number {
  const balance = record(input, 'balance');
  if (!Array.isArray(balance.available)) throw untrustedAnswer('balance.available');
  const entries = balance.available.map((entry) => record(entry, 'balance.available[]')).filter((entry) => entry.currency === inCurrency);
  const total = entries.reduce((sum, entry) => sum + (typeof entry.amount === 'number' && Number.isSafeInteger(entry.amount) ? entry.amount : Number.NaN), 0);
  if (Number.isNaN(total)) throw untrustedAnswer('balance.available[].amount');
  return Math.max(0, total);
}

export function viewRefund(input: unknown): RefundView {
  const refund = record(input, 'refund');
  return {
    id: stripeId(refund.id, ['re_', 'pyr_'], 'refund.id'),
    amount: amount(refund.amount, 'refund.amount'),
    currency: currency(refund.currency, 'refund.currency'),
    status: oneOf(refund.status, REFUND_STATUSES, 'refund.status'),
    chargeId: optionalId(refund.charge, ['ch_', 'py_'], 'refund.charge'),
    paymentIntentId: optionalId(refund.payment_intent, ['pi_'], 'refund.payment_intent'),
    metadata: metadata(refund.metadata),
    failureReason: text(refund.failure_reason),
    created: amount(refund.created ?? 0, 'refund.created'),
  };
}

export function viewDispute(input: unknown): DisputeView {
  const dispute = record(input, 'dispute');
  return {
    id: stripeId(dispute.id, ['dp_', 'du_'], 'dispute.id'),
    chargeId: stripeId(typeof dispute.charge === 'object' && dispute.charge ? (dispute.charge as Json).id : dispute.charge, ['ch_', 'py_'], 'dispute.charge'),
    paymentIntentId: optionalId(
      typeof dispute.payment_intent === 'object' && dispute.payment_intent ? (dispute.payment_intent as Json).id : dispute.payment_intent,
      ['pi_'],
      'dispute.payment_intent',
    ),
    amount: amount(dispute.amount, 'dispute.amount'),
    reason: text(dispute.reason) ?? 'general',
    status: oneOf(dispute.status, DISPUTE_STATUSES, 'dispute.status'),
  };
}

export function viewAccount(input: unknown): AccountView {
  const account = record(input, 'account');
  const capabilities = account.capabilities && typeof account.capabilities === 'object' ? (account.capabilities as Json) : {};
  const requirements = account.requirements && typeof account.requirements === 'object' ? (account.requirements as Json) : {};
  return {
    id: stripeId(account.id, ['acct_'], 'account.id'),
    payouts_enabled: account.payouts_enabled === true,
    details_submitted: account.details_submitted === true,
    capabilities: { transfers: text(capabilities.transfers) },
    requirements: { disabled_reason: text(requirements.disabled_reason) },
  };
}

export function viewEvent(input: unknown): EventView {
  const event = record(input, 'event');
  const data = record(event.data, 'event.data');
  if (typeof event.type !== 'string' || event.type.length > 100) throw untrustedAnswer('event.type');
  return {
    id: stripeId(event.id, ['evt_'], 'event.id'),
    type: event.type,
    created: amount(event.created, 'event.created'),
    object: record(data.object, 'event.data.object'),
  };
}

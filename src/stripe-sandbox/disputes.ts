import { getCharge } from './charges';
import { json, RequestContext, Route } from './context';
import { allowedOutcomes, alreadyClosed, decideDispute, DisputeOutcome, EVIDENCE_FIELDS, isClosed, isInquiry, openDispute, submitEvidence } from './dispute-lifecycle';
import { invalidRequest, paramError, resourceMissing } from './errors';
import { LIST_PARAMS, newestFirst, paginate, render } from './lists';
import type { DisputeObject } from './objects';
import { applyMetadata, Params } from './params';
import type { SandboxState } from './state';

export { openDispute } from './dispute-lifecycle';

const REASONS = ['bank_cannot_process', 'check_returned', 'credit_not_processed', 'customer_initiated', 'debit_not_authorized', 'duplicate', 'fraudulent', 'general', 'incorrect_account_details', 'insufficient_funds', 'product_not_received', 'product_unacceptable', 'subscription_canceled', 'unrecognized'] as const;
const UPDATE_PARAMS = ['evidence', 'expand', 'intended_submission_method', 'metadata', 'submit'];
/** Stripe caps the combined text of all evidence fields. */
const MAX_EVIDENCE_CHARS = 150_000;

export function getDispute(state: SandboxState, id: string): DisputeObject {
  const dispute = state.disputes.get(id);
  if (!dispute) throw resourceMissing('dispute', id, 'dispute');
  return dispute;
}

/** Evidence given in the request merged into what is staged; '' clears a field. */
function applyEvidence(params: Params, dispute: DisputeObject): boolean {
  const given = params.object('evidence');
  if (!given) return false;
  for (const [field, value] of Object.entries(given)) {
    if (field === 'enhanced_evidence') continue; // accepted, not modelled
    if (!EVIDENCE_FIELDS.includes(field)) throw paramError(`Received unknown parameter: evidence[${field}]`, 'parameter_unknown', `evidence[${field}]`);
    if (typeof value !== 'string') throw paramError('Invalid string', 'parameter_invalid_string', `evidence[${field}]`);
    dispute.evidence[field] = value === '' ? null : value;
  }
  const text = (field: string) => dispute.evidence[field];
  const total = EVIDENCE_FIELDS.reduce((sum, field) => sum + (typeof text(field) === 'string' ? (text(field) as string).length : 0), 0);
  if (total > MAX_EVIDENCE_CHARS) throw paramError(`The combined character count of all evidence fields is limited to ${MAX_EVIDENCE_CHARS}.`, 'parameter_invalid_string', 'evidence');
  dispute.evidence_details.has_evidence = EVIDENCE_FIELDS.some((field) => dispute.evidence[field] !== null);
  return true;
}

/**
 * POST /v1/disputes/:id: stage evidence (`submit=false`) or submit it (the default) — the dispute
 * goes `under_review` and `charge.dispute.updated` fires; test-mode evidence decides it later.
 */
function updateDispute(ctx: RequestContext) {
  const p = ctx.params.allowOnly(UPDATE_PARAMS);
  const submit = p.boolean('submit') ?? true;
  const intended = p.oneOf('intended_submission_method', ['manual', 'prefer_manual', 'prefer_smart_disputes', 'smart_disputes']);
  const dispute = getDispute(ctx.state, ctx.pathParams.id);
  const before = structuredClone(dispute);
  // Evidence is checked on a copy, so a refused update changes nothing.
  const staged = structuredClone(dispute);
  const evidenceGiven = applyEvidence(p, staged);
  const metadata = applyMetadata(dispute.metadata, p);
  const submitting = evidenceGiven || p.has('submit');
  if (isClosed(dispute) && submitting) throw alreadyClosed(dispute);
  Object.assign(dispute, { evidence: staged.evidence, evidence_details: staged.evidence_details, metadata });
  if (intended) dispute.intended_submission_method = intended;
  if (submit && submitting) submitEvidence(ctx, dispute);
  const previous: Record<string, unknown> = {};
  for (const field of ['status', 'evidence', 'evidence_details', 'metadata', 'intended_submission_method'] as const) {
    if (JSON.stringify(before[field]) !== JSON.stringify(dispute[field])) previous[field] = before[field];
  }
  if (Object.keys(previous).length > 0) ctx.emit('charge.dispute.updated', dispute, previous);
  return json(render(dispute, p.expand(), ctx.state));
}

/** POST /v1/disputes/:id/close: the platform accepts the loss (an inquiry just closes). */
function closeDispute(ctx: RequestContext) {
  const p = ctx.params.allowOnly(['expand']);
  const dispute = getDispute(ctx.state, ctx.pathParams.id);
  if (isClosed(dispute)) throw alreadyClosed(dispute);
  decideDispute(ctx, dispute, isInquiry(dispute) ? 'warning_closed' : 'lost');
  return json(render(dispute, p.expand(), ctx.state));
}

export const disputeRoutes: Route[] = [
  {
    // Test helper, not a Stripe route: the customer's bank opens a chargeback (or, with
    // inquiry=true, an inquiry) on any succeeded charge, for any amount up to the charge.
    method: 'POST',
    pattern: '/sandbox/charges/:id/dispute',
    public: true,
    handler: (ctx) => {
      const p = ctx.params.allowOnly(['amount', 'reason', 'inquiry']);
      const charge = getCharge(ctx.state, ctx.pathParams.id);
      const reason = p.oneOf('reason', REASONS) ?? 'fraudulent';
      const amount = p.integer('amount') ?? charge.amount - charge.amount_refunded;
      if (charge.status !== 'succeeded') throw invalidRequest(`Charge ${charge.id} has not succeeded; it cannot be disputed.`);
      if (charge.disputed) throw invalidRequest(`Charge ${charge.id} is already disputed.`, { code: 'charge_disputed' });
      if (amount < 1 || amount > charge.amount) throw paramError('Invalid dispute amount.', 'parameter_invalid_integer', 'amount');
      return json(openDispute(ctx, charge, { reason, amount, inquiry: p.boolean('inquiry') ?? false }));
    },
  },
  {
    // Test helper: the bank decides now — won|lost for a chargeback, warning_closed|escalate for an inquiry.
    method: 'POST',
    pattern: '/sandbox/disputes/:id/decide',
    public: true,
    handler: (ctx) => {
      const p = ctx.params.allowOnly(['outcome']);
      const dispute = getDispute(ctx.state, ctx.pathParams.id);
      const outcome = p.oneOf<DisputeOutcome>('outcome', ['won', 'lost', 'warning_closed', 'escalate']);
      if (!outcome) throw paramError('Missing required param: outcome.', 'parameter_missing', 'outcome');
      if (!allowedOutcomes(dispute).includes(outcome)) {
        throw invalidRequest(`Dispute ${dispute.id} (${dispute.status}) cannot end ${outcome}; allowed: ${allowedOutcomes(dispute).join(', ') || 'none, it is closed'}.`, { param: 'outcome' });
      }
      decideDispute(ctx, dispute, outcome);
      return json(dispute);
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
      return json(render(getDispute(state, pathParams.id), params.expand(), state));
    },
  },
  { method: 'POST', pattern: '/v1/disputes/:id', handler: updateDispute },
  { method: 'POST', pattern: '/v1/disputes/:id/close', handler: closeDispute },
];

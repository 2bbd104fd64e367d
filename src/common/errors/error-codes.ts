/**
 * Every error code the API answers with and its HTTP status. The envelope's `type` follows from
 * the status (see errorTypeFor). Add a code here when a feature introduces one.
 */
export const ERROR_CODES = {
  // 400: malformed or invalid input
  malformed_json: 400,
  malformed_url: 400, // a malformed percent-encoding in the path (Fastify's router, src/common/http/framework-errors.ts)
  malformed_request: 400, // Node's HTTP parser: an unknown method, a broken request line
  unsupported_content_type: 400,
  body_too_deep: 400, // JSON nested more than MAX_BODY_DEPTH levels (src/common/http/input-guards.ts)
  unknown_field: 400,
  missing_field: 400,
  invalid_field: 400,
  invalid_cursor: 400,
  invalid_idempotency_key: 400,
  invalid_request: 400,
  invalid_signature: 400, // Stripe webhook: missing, bad or stale Stripe-Signature (src/payments)
  // 401
  authentication_required: 401,
  invalid_token: 401,
  invalid_credentials: 401,
  invalid_refresh_token: 401,
  account_suspended: 401,
  invalid_api_key: 401, // X-Api-Key missing its shape, unknown, revoked, or made for the other mode (src/partners)
  // 403
  forbidden: 403,
  on_behalf_of_required: 403, // a partner's key alone on a user route
  not_partner_user: 403, // X-On-Behalf-Of names no user of this partner (or is malformed)
  partner_user_suspended: 403, // answered as `account_suspended` (see WIRE_CODES): the partner may act, its user may not
  own_solution: 403, // a vote on a solution of one's own request, as its customer or expert (src/solutions)
  // 404
  not_found: 404,
  route_not_found: 404,
  payout_account_missing: 404, // GET /v1/experts/me/payout-account or /v1/partner/payout-account before POST (src/payouts)
  // 405
  method_not_allowed: 405,
  // 408
  request_timeout: 408,
  // 409
  conflict: 409,
  email_taken: 409,
  idempotency_key_in_use: 409,
  // bids (src/bids)
  bid_exists: 409,
  bid_not_active: 409,
  bid_not_accepted: 409,
  bidding_closed: 409,
  request_not_open: 409, // also the request state machine's code (src/requests/domain)
  // requests (src/requests): the state machine's other conflict codes and the edit rule
  request_not_awaiting_payment: 409,
  request_not_in_progress: 409,
  request_not_resolved: 409,
  request_not_disputable: 409,
  request_not_disputed: 409,
  request_in_progress: 409,
  request_has_bids: 409,
  timer_not_due: 409,
  // reviews and disputes (src/reviews, src/disputes)
  already_reviewed: 409,
  dispute_not_open: 409,
  escrow_frozen: 409, // a chargeback froze the escrow: no release, no refund, no payout until Stripe decides
  escrow_not_held: 409, // release or refund of an escrow that holds no money (src/payments)
  escrow_not_payable: 409, // a Transfer recorded twice, or for an escrow that owes nothing (payments' own retries)
  chargeback_open: 409, // the bank decides an open chargeback, not an admin (src/disputes)
  request_not_completed: 409, // reopen (the fix warranty) and publishing a solution need a completed job
  no_warranty: 409, // reopen of a job whose accepted bid had warrantyDays 0
  warranty_ended: 409, // reopen after the warranty ended (or its holdback was settled)
  already_reopened: 409, // a job is reopened once
  // solutions (src/solutions)
  already_voted: 409,
  // 413
  body_too_large: 413,
  // 431
  headers_too_large: 431, // request line and headers over Node's 16 KiB
  // 422: well-formed but breaks a business rule
  idempotency_key_reused: 422,
  cannot_suspend_self: 422,
  bid_over_budget: 422,
  currency_mismatch: 422,
  cannot_bid_own_request: 422,
  outcome_not_allowed: 422, // an admin outcome the dispute's kind does not allow (src/disputes)
  no_solution_summary: 422, // publishing a solution the expert wrote no public summary for (src/solutions)
  solution_moderated: 422, // the customer publishing a solution an admin took down (src/solutions)
  // 429
  rate_limited: 429,
  quota_exceeded: 429, // per-user hourly quotas (API4): bids, requests
  // 5xx
  internal_error: 500,
  service_unavailable: 503,
  payment_provider_error: 502,
  payment_provider_unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Codes sent under another name: the contract answers a suspended user 401 `account_suspended`
 * to their own token, and 403 `account_suspended` to a partner acting for them.
 */
export const WIRE_CODES: Partial<Record<ErrorCode, string>> = { partner_user_suspended: 'account_suspended' };

export type ErrorType =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'conflict'
  | 'rate_limit'
  | 'api_error';

export function errorTypeFor(status: number): ErrorType {
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limit';
  if (status >= 500) return 'api_error';
  return 'invalid_request';
}

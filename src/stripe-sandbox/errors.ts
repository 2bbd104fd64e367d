/**
 * Stripe's error envelope: `{ error: { type, code?, decline_code?, message, param?, doc_url?, request_log_url? } }`.
 * The official SDK picks its error class from the HTTP status (400/404 → StripeInvalidRequestError,
 * or StripeIdempotencyError when type is idempotency_error; 401 → StripeAuthenticationError;
 * 402 → StripeCardError; 429 → StripeRateLimitError; 5xx → StripeAPIError).
 */
export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  request_log_url?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
  advice_code?: string;
}

/**
 * An API error. `saved` says whether Stripe would store it under the idempotency key: Stripe saves
 * the result once the endpoint starts executing (state errors, declines), but not when the
 * parameters fail validation, so those may be retried with the same key.
 */
export class SandboxError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    readonly saved = true,
  ) {
    super(body.message);
  }
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

interface ErrorOptions {
  code?: string;
  param?: string;
  status?: number;
  saved?: boolean;
  extra?: Partial<StripeErrorBody>;
}

export function invalidRequest(message: string, options: ErrorOptions = {}): SandboxError {
  const { code, param, status = 400, saved = true, extra } = options;
  const body: StripeErrorBody = { type: 'invalid_request_error', message, ...extra };
  if (code) {
    body.code = code;
    body.doc_url = docUrl(code);
  }
  if (param) body.param = param;
  return new SandboxError(status, body, saved);
}

/** A malformed, missing or unknown parameter: never saved under an idempotency key. */
export function paramError(message: string, code: string, param: string): SandboxError {
  return invalidRequest(message, { code, param, saved: false });
}

/** `No such payment_intent: 'pi_x'` (404, resource_missing), as Stripe words it. */
export function resourceMissing(noun: string, id: string, param = 'id'): SandboxError {
  return invalidRequest(`No such ${noun}: '${id}'`, { code: 'resource_missing', param, status: 404, saved: false });
}

export function unexpectedState(message: string, paymentIntent?: unknown): SandboxError {
  const extra = paymentIntent ? { payment_intent: paymentIntent } : undefined;
  return invalidRequest(message, { code: 'payment_intent_unexpected_state', extra });
}

export function authenticationError(message: string): SandboxError {
  // Stripe answers 401 with type invalid_request_error; the SDK maps the status to StripeAuthenticationError.
  return new SandboxError(401, { type: 'invalid_request_error', message }, false);
}

export function apiError(status = 500): SandboxError {
  if (status === 429) {
    return invalidRequest('Too many requests hit the API too quickly. (sandbox fault)', {
      code: 'rate_limit',
      status: 429,
      saved: false,
    });
  }
  const message = 'An unknown error occurred (sandbox fault injected by the test).';
  return new SandboxError(status, { type: 'api_error', message }, false);
}

/** A request Stripe refuses once it started executing (a fault a test armed with refuseNext). */
export function refusedRequest(status: 400 | 402, message: string, code: string | undefined): SandboxError {
  if (status === 402) return new SandboxError(402, { type: 'card_error', code, message });
  return invalidRequest(message, { code });
}

export function idempotencyMismatch(key: string, sameEndpoint: boolean): SandboxError {
  const message = sameEndpoint
    ? `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`
    : `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${key}'). Try using a key other than '${key}' if you meant to execute a different request.`;
  return new SandboxError(400, { type: 'idempotency_error', message }, false);
}

export function errorEnvelope(error: SandboxError, requestId: string, nowSeconds: number): { error: StripeErrorBody } {
  const body = { ...error.body };
  if (error.body.type !== 'idempotency_error') {
    body.request_log_url = `https://dashboard.stripe.com/test/logs/${requestId}?t=${nowSeconds}`;
  }
  return { error: body };
}

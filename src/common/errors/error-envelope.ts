import { HttpException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { DomainError } from './domain-error';
import { ErrorCode, ERROR_CODES, errorTypeFor, WIRE_CODES } from './error-codes';

export interface ErrorEnvelope {
  error: { type: string; code: string; message: string; param?: string; requestId: string };
}

export interface MappedError {
  status: number;
  body: ErrorEnvelope;
  headers: Record<string, string>;
  /** 5xx: log the cause; never send it. */
  unexpected: boolean;
}

/** Fastify's own errors (routing, body parsing, limits) by their code. */
const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'body_too_large', message: 'The request body is larger than 1 MiB.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_content_type',
    message: 'Send the body as application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'malformed_json', message: 'The Content-Length does not match the body.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'malformed_json', message: 'The body is empty but Content-Type is application/json.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed_json', message: 'The body is not valid JSON.' },
  FST_ERR_BAD_URL: { code: 'malformed_url', message: 'The URL is not valid: a percent-encoding in its path is malformed.' },
  // Path parameters are ids (UUIDs): one longer than the router's limit cannot exist, like any other unknown id.
  FST_ERR_MAX_PARAM_LENGTH: { code: 'not_found', message: 'Not found.' },
};

function envelope(status: number, code: string, message: string, requestId: string, param?: string): ErrorEnvelope {
  const error: ErrorEnvelope['error'] = { type: errorTypeFor(status), code, message, requestId };
  if (param) error.param = param;
  return { error };
}

/** Maps anything thrown while serving a request to the contract's error envelope. */
export function toErrorResponse(err: unknown, requestId: string): MappedError {
  if (err instanceof DomainError) {
    const status = ERROR_CODES[err.code];
    return {
      status,
      body: envelope(status, WIRE_CODES[err.code] ?? err.code, err.message, requestId, err.param),
      headers: err.headers ?? {},
      unexpected: status >= 500,
    };
  }
  if (err instanceof ThrottlerException) {
    return {
      status: 429,
      body: envelope(429, 'rate_limited', 'Too many requests; retry after the time in Retry-After.', requestId),
      headers: {},
      unexpected: false,
    };
  }
  // Nest wraps Fastify's own 4xx errors (body parsing, limits) in an HttpException; map the cause.
  if (err instanceof HttpException && err.cause && typeof err.cause === 'object' && 'code' in err.cause) {
    const inner = toErrorResponse(err.cause, requestId);
    if (inner.status < 500) return inner;
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const code: ErrorCode =
      status === 404 ? 'route_not_found' : status === 405 ? 'method_not_allowed' : status === 413 ? 'body_too_large'
        : status === 401 ? 'authentication_required' : status === 403 ? 'forbidden' : status === 429 ? 'rate_limited'
          : status >= 500 ? 'internal_error' : 'invalid_request';
    const message = status >= 500 ? 'Something went wrong on our side.' : status === 404 ? 'No such route.' : err.message;
    return { status, body: envelope(status, code, message, requestId), headers: {}, unexpected: status >= 500 };
  }
  const fastifyErr = err as { code?: string; statusCode?: number; message?: string };
  const known = fastifyErr?.code ? FASTIFY_CODES[fastifyErr.code] : undefined;
  if (known) {
    const status = ERROR_CODES[known.code];
    return { status, body: envelope(status, known.code, known.message, requestId), headers: {}, unexpected: false };
  }
  // JSON.parse failures and prototype-poisoning rejections from Fastify's JSON parser.
  if (err instanceof SyntaxError || (fastifyErr?.statusCode === 400 && /JSON|prototype/i.test(fastifyErr.message ?? ''))) {
    const message = /prototype/i.test(fastifyErr.message ?? '')
      ? 'The body contains a forbidden property (__proto__ or constructor.prototype).'
      : 'The body is not valid JSON.';
    return { status: 400, body: envelope(400, 'malformed_json', message, requestId), headers: {}, unexpected: false };
  }
  if (fastifyErr?.statusCode === 413) {
    return { status: 413, body: envelope(413, 'body_too_large', FASTIFY_CODES.FST_ERR_CTP_BODY_TOO_LARGE.message, requestId), headers: {}, unexpected: false };
  }
  if (fastifyErr?.statusCode === 415) {
    return { status: 400, body: envelope(400, 'unsupported_content_type', FASTIFY_CODES.FST_ERR_CTP_INVALID_MEDIA_TYPE.message, requestId), headers: {}, unexpected: false };
  }
  return {
    status: 500,
    body: envelope(500, 'internal_error', 'Something went wrong on our side.', requestId),
    headers: {},
    unexpected: true,
  };
}

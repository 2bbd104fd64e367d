import { ERROR_CODES, ErrorCode } from './error-codes';

/**
 * The one error that services throw: a code from the API's list, a message, the field at fault.
 * Services and domain rules name codes only; the status is read from the one table (ERROR_CODES)
 * that the error filter also maps with, never written beside a code.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly param?: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}

export const notFound = (what = 'Resource') => new DomainError('not_found', `${what} not found.`);

/** The shape every refused domain check shares (request, bid and escrow moves, bid rules). */
export interface Refused {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly message: string;
  readonly param?: string;
}

/** A refused domain check as the error services throw. */
export function refusal(failure: Refused): DomainError {
  return new DomainError(failure.code, failure.message, failure.param);
}

import { DomainError, notFound } from '../common/errors/domain-error';
import { ERROR_CODES, ErrorCode } from '../common/errors/error-codes';

/** The shape every refused domain check shares (bid moves, bid rules, request moves). */
interface Refused {
  readonly ok: false;
  readonly code: string;
  readonly message: string;
  readonly param?: string;
}

/**
 * A refused domain check as the one error services throw (the filter makes the envelope). A code
 * the API does not list yet would have no status; it becomes a plain 409 `conflict` instead.
 */
export function refusal(failure: Refused): DomainError {
  const code: ErrorCode = failure.code in ERROR_CODES ? (failure.code as ErrorCode) : 'conflict';
  return new DomainError(code, failure.message, failure.param);
}

/** Foreign and missing bids look the same (A1), as do invisible requests (API1): ids cannot be probed. */
export const bidNotFound = () => notFound('Bid');
export const requestNotFound = () => notFound('Request');

export { isUniqueViolation } from '../database/pg-errors';

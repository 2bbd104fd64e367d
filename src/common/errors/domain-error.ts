import { ERROR_CODES, ErrorCode } from './error-codes';

/**
 * The one error that services throw. The error filter turns it into the contract's envelope;
 * domain code never deals in HTTP exceptions.
 */
export class DomainError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly param?: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'DomainError';
    this.status = ERROR_CODES[code];
  }
}

export const notFound = (what = 'Resource') => new DomainError('not_found', `${what} not found.`);

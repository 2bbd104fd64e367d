import { notFound } from '../common/errors/domain-error';

/** Foreign and missing bids look the same (A1), as do invisible requests (API1): ids cannot be probed. */
export const bidNotFound = () => notFound('Bid');
export const requestNotFound = () => notFound('Request');

export { isUniqueViolation } from '../database/pg-errors';

/**
 * Kept only for test/architecture/round-trips.e2e-spec.ts, which imports from this path and is
 * outside this change; the helpers live in test/support. Delete once that spec imports from there.
 */
export { onboard, pay } from '../support/deals';
export { statusOf } from '../support/inspect';
export { waitFor } from '../support/wait';

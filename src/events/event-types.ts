/** The contract's event types (§3 "Partners, webhooks out, events"). */
export const EVENT_TYPES = [
  'request.created',
  'request.updated',
  'request.cancelled',
  'request.expired',
  'bid.created',
  'bid.updated',
  'bid.withdrawn',
  'bid.accepted',
  'bid.rejected',
  'escrow.funded',
  'escrow.payment_failed',
  'request.resolved',
  'review.created',
  'escrow.released',
  'escrow.refunded',
  'dispute.opened',
  'dispute.resolved',
  'payout.account_updated',
  'message.created',
  // v1.1: a chargeback's life and a refund Stripe failed; their object is the escrow.
  'chargeback.opened',
  'chargeback.closed',
  'refund.failed',
  // v1.1: the fix warranty.
  'request.reopened',
  'warranty.released',
  // v1.1: a customer published the solution of a completed request; its object is the public solution.
  'solution.published',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

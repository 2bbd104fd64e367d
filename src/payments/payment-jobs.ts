/** The payments feature's durable jobs (pg-boss): scheduled in the transaction that needs them. */
export const PAYOUT_JOB = 'payments.payout';
/** The partner's revenue-share Transfer of one escrow (its own queue: it waits for the partner's account, not the expert's). */
export const PARTNER_PAYOUT_JOB = 'payments.partner-payout';
/** The expert's warranty holdback, once the warranty is over (its own Transfer: transfer:holdback:<escrowId>). */
export const HOLDBACK_PAYOUT_JOB = 'payments.holdback-payout';
export const REFUND_JOB = 'payments.refund';
export const CANCEL_PAYMENT_INTENT_JOB = 'payments.cancel-payment-intent';
export const RECONCILE_JOB = 'payments.reconcile';
/** One received Stripe event, applied (W4: the receiver only stores it). */
export const STRIPE_EVENT_JOB = 'payments.stripe-event';
/** After a lost chargeback on paid-out money: reverse the Transfers as far as the balances allow. */
export const CHARGEBACK_REVERSAL_JOB = 'payments.chargeback-reversal';

export interface EscrowJob {
  escrowId: string;
}

export interface RefundJob {
  refundId: string;
}

export interface StripeEventJob {
  eventId: string;
}

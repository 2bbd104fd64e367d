/** The payments feature's durable jobs (pg-boss): scheduled in the transaction that needs them. */
export const PAYOUT_JOB = 'payments.payout';
/** The partner's revenue-share Transfer of one escrow (its own queue: it waits for the partner's account, not the expert's). */
export const PARTNER_PAYOUT_JOB = 'payments.partner-payout';
export const REFUND_JOB = 'payments.refund';
export const CANCEL_PAYMENT_INTENT_JOB = 'payments.cancel-payment-intent';
export const RECONCILE_JOB = 'payments.reconcile';

export interface EscrowJob {
  escrowId: string;
}

export interface RefundJob {
  refundId: string;
}

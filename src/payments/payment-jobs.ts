/** The payments feature's durable jobs (pg-boss): scheduled in the transaction that needs them. */
export const PAYOUT_JOB = 'payments.payout';
export const REFUND_JOB = 'payments.refund';
export const CANCEL_PAYMENT_INTENT_JOB = 'payments.cancel-payment-intent';
export const RECONCILE_JOB = 'payments.reconcile';

export interface EscrowJob {
  escrowId: string;
}

export interface RefundJob {
  refundId: string;
}

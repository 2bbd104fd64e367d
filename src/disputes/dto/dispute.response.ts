import { ApiProperty } from '@nestjs/swagger';
import { Dispute } from '../dispute.entity';
import { DISPUTE_KINDS, DISPUTE_OPENERS, DISPUTE_OUTCOMES, DISPUTE_STATUSES, DisputeKind, DisputeOpener, DisputeOutcome, DisputeStatus } from '../domain/dispute-rules';

/** A dispute; also the `object` of `dispute.opened` and `dispute.resolved`. */
export class DisputeResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiProperty({ enum: DISPUTE_STATUSES }) status!: DisputeStatus;
  @ApiProperty({
    enum: DISPUTE_KINDS,
    description:
      'What it is about, which says how it ends: customer, chargeback (Stripe decides; lost with money left, settled as customer), warranty, post_payout_chargeback (recovered | write_off), refund_failed (retry_refund | write_off).',
  })
  kind!: DisputeKind;
  @ApiProperty({ enum: DISPUTE_OPENERS, description: 'customer (dispute or a "not fixed" review), system (hold limit) or chargeback.' })
  openedBy!: DisputeOpener;
  @ApiProperty() reason!: string;
  @ApiProperty({ enum: DISPUTE_OUTCOMES, nullable: true, description: "An admin's outcome, or chargeback_won / chargeback_lost when Stripe's decision closed it." })
  outcome!: DisputeOutcome | null;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Minor units refunded to the customer by a split; for post_payout_chargeback and refund_failed outcomes, the amount settled.',
  })
  refundAmount!: number | null;
  @ApiProperty({ format: 'date-time', type: String, nullable: true }) resolvedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(d: Dispute): DisputeResponse {
    return {
      id: d.id,
      requestId: d.requestId,
      status: d.status,
      kind: d.kind,
      openedBy: d.openedBy,
      reason: d.reason,
      outcome: d.outcome,
      refundAmount: d.refundAmount,
      resolvedAt: d.resolvedAt?.toISOString() ?? null,
      createdAt: d.createdAt.toISOString(),
      updatedAt: d.updatedAt.toISOString(),
    };
  }
}

import { ApiProperty } from '@nestjs/swagger';
import { Dispute } from '../dispute.entity';
import { DISPUTE_OPENERS, DISPUTE_OUTCOMES, DISPUTE_STATUSES, DisputeOpener, DisputeOutcome, DisputeStatus } from '../domain/dispute-rules';

/** A dispute; also the `object` of `dispute.opened` and `dispute.resolved`. */
export class DisputeResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiProperty({ enum: DISPUTE_STATUSES }) status!: DisputeStatus;
  @ApiProperty({ enum: DISPUTE_OPENERS, description: 'customer (dispute or a "not fixed" review), system (hold limit) or chargeback.' })
  openedBy!: DisputeOpener;
  @ApiProperty() reason!: string;
  @ApiProperty({ enum: DISPUTE_OUTCOMES, nullable: true }) outcome!: DisputeOutcome | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Split only: minor units refunded to the customer.' })
  refundAmount!: number | null;
  @ApiProperty({ format: 'date-time', type: String, nullable: true }) resolvedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(d: Dispute): DisputeResponse {
    return {
      id: d.id,
      requestId: d.requestId,
      status: d.status,
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

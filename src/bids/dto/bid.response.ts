import { ApiProperty } from '@nestjs/swagger';
import { MoneyDto } from '../../common/http/money.dto';
import { Bid } from '../bid.entity';
import { BID_STATUSES, BidStatus } from '../domain/bid-state';

/** A bid as the contract shows it (§3 "Bids"); also the `object` of every bid.* event. */
export class BidResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiProperty({ format: 'uuid' }) expertId!: string;
  @ApiProperty({ type: MoneyDto }) amount!: MoneyDto;
  @ApiProperty({ type: 'integer', example: 90 }) etaMinutes!: number;
  @ApiProperty() message!: string;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 30, description: 'The fix warranty offered, in days (0: none).' }) warrantyDays!: number;
  @ApiProperty({ enum: BID_STATUSES }) status!: BidStatus;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(bid: Bid): BidResponse {
    return {
      id: bid.id,
      requestId: bid.requestId,
      expertId: bid.expertId,
      amount: MoneyDto.of(bid.amount, bid.currency)!,
      etaMinutes: bid.etaMinutes,
      message: bid.message,
      warrantyDays: bid.warrantyDays,
      status: bid.status,
      createdAt: bid.createdAt.toISOString(),
      updatedAt: bid.updatedAt.toISOString(),
    };
  }
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max } from 'class-validator';
import { MAX_AMOUNT } from '../../payments/domain/money';
import { DISPUTE_OUTCOMES, DisputeOutcome } from '../domain/dispute-rules';

/**
 * `POST /v1/admin/disputes/:id/resolve`. The range of `refundAmount` (1..amount−1, split only)
 * depends on the escrow, so src/disputes/domain checks it; here only its type.
 */
export class ResolveDisputeDto {
  @ApiProperty({ enum: DISPUTE_OUTCOMES, description: 'release: all to the expert; refund: all back to the customer; split: refundAmount back, the rest to the expert.' })
  @IsIn(DISPUTE_OUTCOMES, { message: `outcome must be one of ${DISPUTE_OUTCOMES.join(', ')}.` })
  outcome!: DisputeOutcome;

  @ApiPropertyOptional({ minimum: 1, description: 'Split only: minor units returned to the customer, 1..amount−1.' })
  @IsOptional()
  @Max(MAX_AMOUNT, { message: 'refundAmount must be an integer from 1 to the held amount less one.' })
  @IsInt({ message: 'refundAmount must be an integer from 1 to the held amount less one.' })
  refundAmount?: number;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max } from 'class-validator';
import { MAX_AMOUNT } from '../../payments/domain/money';
import { ADMIN_OUTCOMES, AdminOutcome } from '../domain/dispute-rules';

/**
 * `POST /v1/admin/disputes/:id/resolve`. The range of `refundAmount` (1..amount−1, split only)
 * depends on the escrow, so src/disputes/domain checks it; here only its type.
 */
export class ResolveDisputeDto {
  @ApiProperty({
    enum: ADMIN_OUTCOMES,
    description:
      'By the dispute\'s kind — customer, warranty and a lost chargeback with money left: release (all to the expert), refund (all back to the customer), split (refundAmount back, the rest to the expert); post_payout_chargeback: recovered or write_off; refund_failed: retry_refund or write_off. Another outcome → 422 outcome_not_allowed.',
  })
  @IsIn(ADMIN_OUTCOMES, { message: `outcome must be one of ${ADMIN_OUTCOMES.join(', ')}.` })
  outcome!: AdminOutcome;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Split only: minor units returned to the customer, 1..amount−1.' })
  @IsOptional()
  @Max(MAX_AMOUNT, { message: 'refundAmount must be an integer from 1 to the held amount less one.' })
  @IsInt({ message: 'refundAmount must be an integer from 1 to the held amount less one.' })
  refundAmount?: number;
}

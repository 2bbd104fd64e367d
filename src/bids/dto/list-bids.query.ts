import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { BID_STATUSES, BidStatus } from '../domain/bid-state';

export const BID_SORTS = ['recommended', 'amount', 'eta', 'reputation'] as const;
export type BidSort = (typeof BID_SORTS)[number];

/** `GET /v1/requests/:id/bids?sort=&status=&limit=&cursor=`. */
export class ListRequestBidsQuery extends PageQueryDto {
  @ApiPropertyOptional({
    enum: BID_SORTS,
    default: 'recommended',
    description: 'recommended: best first (see README "How bids are recommended"); amount, eta: lowest first; reputation: highest first.',
  })
  @IsOptional()
  @IsIn(BID_SORTS as unknown as string[], { message: `sort must be one of ${BID_SORTS.join(', ')}.` })
  sort: BidSort = 'recommended';

  @ApiPropertyOptional({ enum: BID_STATUSES, description: 'Only bids in this status; all by default.' })
  @IsOptional()
  @IsIn(BID_STATUSES as unknown as string[], { message: `status must be one of ${BID_STATUSES.join(', ')}.` })
  status?: BidStatus;
}

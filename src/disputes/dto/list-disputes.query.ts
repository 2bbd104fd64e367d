import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { DISPUTE_STATUSES, DisputeStatus } from '../domain/dispute-rules';

/** `GET /v1/admin/disputes?status=open|resolved&limit=&cursor=`: oldest first (a work queue). */
export class ListDisputesQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: DISPUTE_STATUSES })
  @IsOptional()
  @IsIn(DISPUTE_STATUSES, { message: `status must be one of ${DISPUTE_STATUSES.join(', ')}.` })
  status?: DisputeStatus;
}

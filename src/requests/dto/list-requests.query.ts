import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { CURRENCIES, Currency, MAX_AMOUNT } from '../../payments/domain/money';
import { REQUEST_STATUSES, RequestStatus } from '../domain/request-state';

/** GET /v1/requests filters; the caller's role decides which requests are in scope at all. */
export class ListRequestsQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: REQUEST_STATUSES })
  @IsOptional()
  @IsIn(REQUEST_STATUSES, { message: `status must be one of ${REQUEST_STATUSES.join(', ')}.` })
  status?: RequestStatus;

  @ApiPropertyOptional({ example: 'networking' })
  @IsOptional()
  @MaxLength(64)
  @IsString()
  category?: string;

  @ApiPropertyOptional({ description: 'Full-text search over title and description (web search syntax); results ranked by relevance.' })
  @IsOptional()
  @MaxLength(200, { message: 'q must be at most 200 characters.' })
  @MinLength(1)
  @IsString()
  q?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_AMOUNT, description: 'Only requests whose maxBudget.amount (minor units) is at least this.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'minBudget must be an integer number of minor units.' })
  @Min(0, { message: 'minBudget must be at least 0.' })
  @Max(MAX_AMOUNT, { message: `minBudget must be at most ${MAX_AMOUNT}.` })
  minBudget?: number;

  @ApiPropertyOptional({ enum: CURRENCIES, description: 'Only requests whose maxBudget is in this currency.' })
  @IsOptional()
  @IsIn(CURRENCIES as unknown as string[], { message: `currency must be one of ${CURRENCIES.join(', ')}.` })
  currency?: Currency;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { CATEGORY_SLUG, SLUG_MAX } from './upsert-expert-profile.dto';

export const EXPERT_SORTS = ['reputation', 'rating'] as const;
export type ExpertSort = (typeof EXPERT_SORTS)[number];
export const EXPERT_QUERY_MAX = 200;

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** GET /v1/experts?skill=&q=&sort=&limit=&cursor= */
export class ListExpertsQuery extends PageQueryDto {
  @ApiPropertyOptional({ example: 'networking', description: 'Only experts with this skill (a category slug).' })
  @IsOptional()
  @Matches(CATEGORY_SLUG, { message: 'skill must be a category slug.' })
  @MaxLength(SLUG_MAX, { message: 'skill must be a category slug.' })
  @IsString({ message: 'skill must be a category slug.' })
  skill?: string;

  @ApiPropertyOptional({ maxLength: EXPERT_QUERY_MAX, description: 'Full-text search over headline and bio (web-search syntax).' })
  @IsOptional()
  @MinLength(1, { message: `q must be 1 to ${EXPERT_QUERY_MAX} characters.` })
  @MaxLength(EXPERT_QUERY_MAX, { message: `q must be 1 to ${EXPERT_QUERY_MAX} characters.` })
  @IsString({ message: 'q must be a string.' })
  @Transform(trimmed)
  q?: string;

  @ApiPropertyOptional({ enum: EXPERT_SORTS, default: 'reputation', description: 'Highest first.' })
  @IsOptional()
  @IsIn(EXPERT_SORTS, { message: 'sort must be "reputation" or "rating".' })
  sort: ExpertSort = 'reputation';
}

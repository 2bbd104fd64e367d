import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { LANGUAGE_CODE } from '../../requests/dto/create-request.dto';

export const QUERY_MAX = 200;
export const DRAFT_MIN = 3;
export const DRAFT_MAX = 4000;

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** GET /v1/solutions?q=&category=&language=&limit=&cursor= */
export class ListSolutionsQuery extends PageQueryDto {
  @ApiPropertyOptional({
    maxLength: QUERY_MAX,
    example: 'printer offline',
    description: 'Words to look for, in everyday language; ranked by relevance (a title match above a summary match). Without it: newest first.',
  })
  @IsOptional()
  @MinLength(1, { message: `q must be 1 to ${QUERY_MAX} characters.` })
  @MaxLength(QUERY_MAX, { message: `q must be 1 to ${QUERY_MAX} characters.` })
  @IsString({ message: 'q must be a string.' })
  @Transform(trimmed)
  q?: string;

  @ApiPropertyOptional({ example: 'printers', description: 'Only this category (a slug from GET /v1/categories).' })
  @IsOptional()
  @MaxLength(64, { message: 'category must be a category slug.' })
  @IsString({ message: 'category must be a category slug.' })
  category?: string;

  @ApiPropertyOptional({ example: 'en', description: 'Only solutions of requests in this language (ISO 639-1).' })
  @IsOptional()
  @Matches(LANGUAGE_CODE, { message: 'language must be a two-letter ISO 639-1 code in lower case.' })
  @IsString({ message: 'language must be a string.' })
  language?: string;
}

/** GET /v1/solutions/similar?text= */
export class SimilarSolutionsQuery {
  @ApiProperty({
    minLength: DRAFT_MIN,
    maxLength: DRAFT_MAX,
    example: 'my printer says its offline but its switched on',
    description: "The customer's draft request, as typed (its title first, then the description); typos and everyday words are expected.",
  })
  @MinLength(DRAFT_MIN, { message: `text must be ${DRAFT_MIN} to ${DRAFT_MAX} characters.` })
  @MaxLength(DRAFT_MAX, { message: `text must be ${DRAFT_MIN} to ${DRAFT_MAX} characters.` })
  @IsString({ message: 'text must be a string.' })
  @Transform(trimmed)
  text!: string;
}

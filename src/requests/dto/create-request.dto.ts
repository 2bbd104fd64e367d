import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsISO8601, IsObject, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { FreeText } from '../../common/http/free-text';
import { MoneyDto } from '../../common/http/money.dto';

export const URGENCIES = ['low', 'normal', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const TITLE_LENGTH = { min: 5, max: 140 } as const;
export const DESCRIPTION_LENGTH = { min: 20, max: 10_000 } as const;
/** ISO 639-1: two lower-case letters. */
export const LANGUAGE_CODE = /^[a-z]{2}$/;
export const ISO_INSTANT = { strict: true, strictSeparator: true } as const;

// Validation stops at the first failure and decorators run bottom-up: the type check (last) runs first.
export class CreateRequestDto {
  @ApiProperty({ minLength: TITLE_LENGTH.min, maxLength: TITLE_LENGTH.max, example: 'Laptop will not boot after update' })
  @FreeText()
  @Length(TITLE_LENGTH.min, TITLE_LENGTH.max, { message: `title must be ${TITLE_LENGTH.min} to ${TITLE_LENGTH.max} characters.` })
  @IsString({ message: 'title must be a string.' })
  title!: string;

  @ApiProperty({ minLength: DESCRIPTION_LENGTH.min, maxLength: DESCRIPTION_LENGTH.max })
  @FreeText()
  @Length(DESCRIPTION_LENGTH.min, DESCRIPTION_LENGTH.max, {
    message: `description must be ${DESCRIPTION_LENGTH.min} to ${DESCRIPTION_LENGTH.max} characters.`,
  })
  @IsString({ message: 'description must be a string.' })
  description!: string;

  @ApiProperty({ example: 'windows', description: 'A slug from GET /v1/categories.' })
  @MaxLength(64, { message: 'category must be a category slug.' })
  @IsString({ message: 'category must be a string.' })
  category!: string;

  @ApiPropertyOptional({ type: MoneyDto, description: 'Bids above it are refused; bids must use its currency. Leave it out for no budget.' })
  @IsOptional()
  @ValidateNested()
  @IsObject({ message: 'maxBudget must be an object {amount, currency}.' })
  @Type(() => MoneyDto)
  maxBudget?: MoneyDto;

  @ApiPropertyOptional({ enum: URGENCIES, default: 'normal' })
  @IsOptional()
  @IsIn(URGENCIES, { message: `urgency must be one of ${URGENCIES.join(', ')}.` })
  urgency?: Urgency;

  @ApiPropertyOptional({ format: 'date-time', description: '1 hour to 30 days from now; default 72 hours from now.' })
  @IsOptional()
  @IsISO8601(ISO_INSTANT, { message: 'biddingClosesAt must be an ISO-8601 date-time.' })
  @IsString({ message: 'biddingClosesAt must be an ISO-8601 date-time string.' })
  biddingClosesAt?: string;

  @ApiPropertyOptional({ example: 'en', default: 'en', description: 'ISO 639-1 code, lower case.' })
  @IsOptional()
  @Matches(LANGUAGE_CODE, { message: 'language must be a two-letter ISO 639-1 code in lower case.' })
  @IsString({ message: 'language must be a string.' })
  language?: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { FreeText } from '../../common/http/free-text';

export const HEADLINE_MIN = 5;
export const HEADLINE_MAX = 120;
export const BIO_MAX = 5000;
export const SKILLS_MAX = 20;
export const LANGUAGES_MAX = 10;
export const SLUG_MAX = 40;
export const CATEGORY_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const LANGUAGE_CODE = /^[a-z]{2}$/;

/** Trims strings before the length checks; leaves anything else for IsString to refuse. */
const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

// Decorators run bottom-up and validation stops at the first failure: the type and size checks
// (listed last) run before the per-item patterns, so a 10 000-item array is refused cheaply.
export class UpsertExpertProfileDto {
  @ApiProperty({ minLength: HEADLINE_MIN, maxLength: HEADLINE_MAX, example: 'Windows and home-network fixer, 10 years' })
  @FreeText()
  @MinLength(HEADLINE_MIN, { message: `headline must be ${HEADLINE_MIN} to ${HEADLINE_MAX} characters.` })
  @MaxLength(HEADLINE_MAX, { message: `headline must be ${HEADLINE_MIN} to ${HEADLINE_MAX} characters.` })
  @IsString({ message: 'headline must be a string.' })
  @Transform(trimmed)
  headline!: string;

  @ApiPropertyOptional({ maxLength: BIO_MAX, default: '' })
  @FreeText()
  @IsOptional()
  @MaxLength(BIO_MAX, { message: `bio must be at most ${BIO_MAX} characters.` })
  @IsString({ message: 'bio must be a string.' })
  @Transform(trimmed)
  bio?: string;

  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: SKILLS_MAX,
    example: ['windows', 'networking'],
    description: 'Category slugs (GET /v1/categories); duplicates are dropped.',
  })
  @Matches(CATEGORY_SLUG, { each: true, message: 'skills must be category slugs.' })
  @MaxLength(SLUG_MAX, { each: true, message: 'skills must be category slugs.' })
  @IsString({ each: true, message: 'skills must be category slugs.' })
  @ArrayMinSize(1, { message: `skills must list 1 to ${SKILLS_MAX} categories.` })
  @ArrayMaxSize(SKILLS_MAX, { message: `skills must list 1 to ${SKILLS_MAX} categories.` })
  @IsArray({ message: 'skills must be an array of category slugs.' })
  skills!: string[];

  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: LANGUAGES_MAX,
    example: ['en', 'de'],
    description: 'ISO 639-1 codes, two lower-case letters; duplicates are dropped.',
  })
  @Matches(LANGUAGE_CODE, { each: true, message: 'languages must be two-letter lower-case codes such as "en".' })
  @IsString({ each: true, message: 'languages must be two-letter lower-case codes such as "en".' })
  @ArrayMinSize(1, { message: `languages must list 1 to ${LANGUAGES_MAX} codes.` })
  @ArrayMaxSize(LANGUAGES_MAX, { message: `languages must list 1 to ${LANGUAGES_MAX} codes.` })
  @IsArray({ message: 'languages must be an array of language codes.' })
  languages!: string[];

  @ApiProperty({ description: 'Whether the expert takes new work; unavailable experts are not matched.' })
  @IsBoolean({ message: 'available must be true or false.' })
  available!: boolean;
}

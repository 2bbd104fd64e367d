import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { FreeText } from '../../common/http/free-text';

export const COMMENT_MAX = 2000;
const RATING_MESSAGE = 'rating must be an integer from 1 to 5.';

/**
 * `POST /v1/requests/:id/review`. `comment` is required when `resolved` is false (checked by the
 * service after validation, as 400 missing_field on `comment`).
 */
export class CreateReviewDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 5, example: 5 })
  @Min(1, { message: RATING_MESSAGE })
  @Max(5, { message: RATING_MESSAGE })
  @IsInt({ message: RATING_MESSAGE })
  rating!: number;

  @ApiProperty({ description: 'Is the problem fixed? true releases the escrow to the expert; false opens a dispute.' })
  @IsBoolean({ message: 'resolved must be true or false.' })
  resolved!: boolean;

  @ApiPropertyOptional({ maxLength: COMMENT_MAX, description: 'Required when resolved is false.' })
  @FreeText()
  @IsOptional()
  @MaxLength(COMMENT_MAX, { message: `comment must be at most ${COMMENT_MAX} characters.` })
  @IsString({ message: 'comment must be a string.' })
  comment?: string;

  @ApiPropertyOptional({ default: false, description: 'Publish the resolution in the solutions knowledge base.' })
  @IsOptional()
  @IsBoolean({ message: 'publishSolution must be true or false.' })
  publishSolution?: boolean;
}

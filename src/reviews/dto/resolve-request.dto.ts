import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { FreeText } from '../../common/http/free-text';

export const RESOLUTION_NOTE_MIN = 10;
export const RESOLUTION_NOTE_MAX = 10_000;
const NOTE_LENGTH = `resolutionNote must be ${RESOLUTION_NOTE_MIN} to ${RESOLUTION_NOTE_MAX} characters.`;
export const SOLUTION_SUMMARY_MIN = 20;
export const SOLUTION_SUMMARY_MAX = 5000;
const SUMMARY_LENGTH = `solutionSummary must be ${SOLUTION_SUMMARY_MIN} to ${SOLUTION_SUMMARY_MAX} characters.`;

/**
 * `POST /v1/requests/:id/resolve`: what the expert did. The note is private to the two parties,
 * always; the summary is what the knowledge base shows if the customer publishes it.
 */
export class ResolveRequestDto {
  @ApiProperty({
    minLength: RESOLUTION_NOTE_MIN,
    maxLength: RESOLUTION_NOTE_MAX,
    example: 'Rebuilt the boot record; Windows starts again. Your admin password is now in the sealed envelope.',
    description: 'Private to the customer and the expert: never published.',
  })
  @FreeText()
  @MinLength(RESOLUTION_NOTE_MIN, { message: NOTE_LENGTH })
  @MaxLength(RESOLUTION_NOTE_MAX, { message: NOTE_LENGTH })
  @IsString({ message: 'resolutionNote must be a string.' })
  resolutionNote!: string;

  @ApiPropertyOptional({
    minLength: SOLUTION_SUMMARY_MIN,
    maxLength: SOLUTION_SUMMARY_MAX,
    example: 'The boot record was damaged by an interrupted update; rebuilt it from the recovery console (bootrec /fixmbr, /rebuildbcd).',
    description: 'The public account of the fix, for the knowledge base: published only if the customer chooses to. Leave out anything private.',
  })
  @FreeText()
  @IsOptional()
  @MinLength(SOLUTION_SUMMARY_MIN, { message: SUMMARY_LENGTH })
  @MaxLength(SOLUTION_SUMMARY_MAX, { message: SUMMARY_LENGTH })
  @IsString({ message: 'solutionSummary must be a string.' })
  solutionSummary?: string;
}

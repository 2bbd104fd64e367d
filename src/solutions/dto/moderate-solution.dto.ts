import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { FreeText } from '../../common/http/free-text';

export const MODERATION_REASON_MIN = 10;
export const MODERATION_REASON_MAX = 2000;
const REASON_LENGTH = `reason must be ${MODERATION_REASON_MIN} to ${MODERATION_REASON_MAX} characters.`;

/** `POST /v1/admin/solutions/:requestId/unpublish`: why an admin takes a solution down. */
export class ModerateSolutionDto {
  @ApiProperty({ minLength: MODERATION_REASON_MIN, maxLength: MODERATION_REASON_MAX, example: 'Contains the customer\'s home address.' })
  @FreeText()
  @MinLength(MODERATION_REASON_MIN, { message: REASON_LENGTH })
  @MaxLength(MODERATION_REASON_MAX, { message: REASON_LENGTH })
  @IsString({ message: 'reason must be a string.' })
  reason!: string;
}

import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { FreeText } from '../../common/http/free-text';

export const REASON_MIN = 10;
export const REASON_MAX = 2000;
const REASON_LENGTH = `reason must be ${REASON_MIN} to ${REASON_MAX} characters.`;

/** `POST /v1/requests/:id/dispute`. */
export class OpenDisputeDto {
  @ApiProperty({ minLength: REASON_MIN, maxLength: REASON_MAX, example: 'The expert stopped answering and nothing was fixed.' })
  @FreeText()
  @MinLength(REASON_MIN, { message: REASON_LENGTH })
  @MaxLength(REASON_MAX, { message: REASON_LENGTH })
  @IsString({ message: 'reason must be a string.' })
  reason!: string;
}

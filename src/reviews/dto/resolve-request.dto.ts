import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { FreeText } from '../../common/http/free-text';

export const RESOLUTION_NOTE_MIN = 10;
export const RESOLUTION_NOTE_MAX = 10_000;
const NOTE_LENGTH = `resolutionNote must be ${RESOLUTION_NOTE_MIN} to ${RESOLUTION_NOTE_MAX} characters.`;

/** `POST /v1/requests/:id/resolve`: what the expert did (shown to the customer, and in solutions if published). */
export class ResolveRequestDto {
  @ApiProperty({ minLength: RESOLUTION_NOTE_MIN, maxLength: RESOLUTION_NOTE_MAX, example: 'Rebuilt the boot record; Windows starts again.' })
  @FreeText()
  @MinLength(RESOLUTION_NOTE_MIN, { message: NOTE_LENGTH })
  @MaxLength(RESOLUTION_NOTE_MAX, { message: NOTE_LENGTH })
  @IsString({ message: 'resolutionNote must be a string.' })
  resolutionNote!: string;
}

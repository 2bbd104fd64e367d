import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { FreeText } from '../../common/http/free-text';

const REASON_LENGTH = 'reason must be 10 to 2000 characters.';

/** `POST /v1/requests/:id/reopen`: why the fix did not hold (private to the two parties). */
export class ReopenRequestDto {
  @ApiProperty({ minLength: 10, maxLength: 2000, example: 'The laptop stopped booting again two days later.' })
  @FreeText()
  @MinLength(10, { message: REASON_LENGTH })
  @MaxLength(2000, { message: REASON_LENGTH })
  @IsString({ message: 'reason must be a string.' })
  reason!: string;
}

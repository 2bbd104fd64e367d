import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { FreeText } from '../../common/http/free-text';
import { MoneyDto } from '../../common/http/money.dto';

export const ETA_MIN_MINUTES = 15;
export const ETA_MAX_MINUTES = 43_200;
export const MESSAGE_MIN_LENGTH = 10;
export const MESSAGE_MAX_LENGTH = 2000;
export const WARRANTY_MAX_DAYS = 30;

const ETA_MESSAGE = `etaMinutes must be an integer from ${ETA_MIN_MINUTES} to ${ETA_MAX_MINUTES}.`;
const MESSAGE_LENGTH = `message must be ${MESSAGE_MIN_LENGTH} to ${MESSAGE_MAX_LENGTH} characters.`;
const WARRANTY_MESSAGE = `warrantyDays must be an integer from 0 to ${WARRANTY_MAX_DAYS}.`;

/**
 * `POST /v1/requests/:id/bids`. Only these four fields: `status`, `expertId`, `requestId` and
 * anything else are refused by the global pipe (400 unknown_field, B1). Decorators apply
 * bottom-up, so the cheap type and length checks run first.
 */
export class CreateBidDto {
  @ApiProperty({ type: MoneyDto, description: 'Price in minor units; same currency as the request budget, not above it.' })
  @ValidateNested()
  @IsDefined()
  @Type(() => MoneyDto)
  amount!: MoneyDto;

  @ApiProperty({ type: 'integer', minimum: ETA_MIN_MINUTES, maximum: ETA_MAX_MINUTES, example: 90, description: 'Time to fix, in minutes.' })
  @Min(ETA_MIN_MINUTES, { message: ETA_MESSAGE })
  @Max(ETA_MAX_MINUTES, { message: ETA_MESSAGE })
  @IsInt({ message: ETA_MESSAGE })
  etaMinutes!: number;

  @ApiProperty({ minLength: MESSAGE_MIN_LENGTH, maxLength: MESSAGE_MAX_LENGTH, example: 'I fixed this exact issue last week.' })
  @FreeText()
  @MinLength(MESSAGE_MIN_LENGTH, { message: MESSAGE_LENGTH })
  @MaxLength(MESSAGE_MAX_LENGTH, { message: MESSAGE_LENGTH })
  @IsString({ message: 'message must be a string.' })
  message!: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: WARRANTY_MAX_DAYS,
    default: 0,
    description: 'A fix warranty: for this many days after the release the customer may reopen the job, and WARRANTY_HOLDBACK_BPS of the payout is held until it ends.',
  })
  @IsOptional()
  @Min(0, { message: WARRANTY_MESSAGE })
  @Max(WARRANTY_MAX_DAYS, { message: WARRANTY_MESSAGE })
  @IsInt({ message: WARRANTY_MESSAGE })
  warrantyDays?: number;
}

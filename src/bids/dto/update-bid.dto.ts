import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { FreeText } from '../../common/http/free-text';
import { MoneyDto } from '../../common/http/money.dto';
import { ETA_MAX_MINUTES, ETA_MIN_MINUTES, MESSAGE_MAX_LENGTH, MESSAGE_MIN_LENGTH } from './create-bid.dto';

const ETA_MESSAGE = `etaMinutes must be an integer from ${ETA_MIN_MINUTES} to ${ETA_MAX_MINUTES}.`;
const MESSAGE_LENGTH = `message must be ${MESSAGE_MIN_LENGTH} to ${MESSAGE_MAX_LENGTH} characters.`;

/** `PATCH /v1/bids/:id`: any of the three; an empty body changes nothing. */
export class UpdateBidDto {
  @ApiPropertyOptional({ type: MoneyDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => MoneyDto)
  amount?: MoneyDto;

  @ApiPropertyOptional({ type: 'integer', minimum: ETA_MIN_MINUTES, maximum: ETA_MAX_MINUTES })
  @IsOptional()
  @Min(ETA_MIN_MINUTES, { message: ETA_MESSAGE })
  @Max(ETA_MAX_MINUTES, { message: ETA_MESSAGE })
  @IsInt({ message: ETA_MESSAGE })
  etaMinutes?: number;

  @ApiPropertyOptional({ minLength: MESSAGE_MIN_LENGTH, maxLength: MESSAGE_MAX_LENGTH })
  @FreeText()
  @IsOptional()
  @MinLength(MESSAGE_MIN_LENGTH, { message: MESSAGE_LENGTH })
  @MaxLength(MESSAGE_MAX_LENGTH, { message: MESSAGE_LENGTH })
  @IsString({ message: 'message must be a string.' })
  message?: string;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsISO8601, IsObject, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { FreeText } from '../../common/http/free-text';
import { MoneyDto } from '../../common/http/money.dto';
import { Nullable } from '../../common/http/null-fields';
import { DESCRIPTION_LENGTH, ISO_INSTANT, TITLE_LENGTH, Urgency, URGENCIES } from './create-request.dto';

/** PATCH /v1/requests/:id: only these fields; `maxBudget: null` removes the budget. */
export class UpdateRequestDto {
  @ApiPropertyOptional({ minLength: TITLE_LENGTH.min, maxLength: TITLE_LENGTH.max })
  @FreeText()
  @IsOptional()
  @Length(TITLE_LENGTH.min, TITLE_LENGTH.max, { message: `title must be ${TITLE_LENGTH.min} to ${TITLE_LENGTH.max} characters.` })
  @IsString({ message: 'title must be a string.' })
  title?: string;

  @ApiPropertyOptional({ minLength: DESCRIPTION_LENGTH.min, maxLength: DESCRIPTION_LENGTH.max })
  @FreeText()
  @IsOptional()
  @Length(DESCRIPTION_LENGTH.min, DESCRIPTION_LENGTH.max, {
    message: `description must be ${DESCRIPTION_LENGTH.min} to ${DESCRIPTION_LENGTH.max} characters.`,
  })
  @IsString({ message: 'description must be a string.' })
  description?: string;

  @ApiPropertyOptional({ type: MoneyDto, nullable: true, description: 'null removes the budget.' })
  @Nullable()
  @IsOptional()
  @ValidateNested()
  @IsObject({ message: 'maxBudget must be an object {amount, currency} or null.' })
  @Type(() => MoneyDto)
  maxBudget?: MoneyDto | null;

  @ApiPropertyOptional({ enum: URGENCIES })
  @IsOptional()
  @IsIn(URGENCIES, { message: `urgency must be one of ${URGENCIES.join(', ')}.` })
  urgency?: Urgency;

  @ApiPropertyOptional({ format: 'date-time', description: '1 hour to 30 days from now; the expiry timer moves with it.' })
  @IsOptional()
  @IsISO8601(ISO_INSTANT, { message: 'biddingClosesAt must be an ISO-8601 date-time.' })
  @IsString({ message: 'biddingClosesAt must be an ISO-8601 date-time string.' })
  biddingClosesAt?: string;
}

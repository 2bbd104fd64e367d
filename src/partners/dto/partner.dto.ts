import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { DISPLAY_NAME_ALLOWED, normalizeDisplayName } from '../../users/domain/user-input';

const asName = ({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeDisplayName(value) : value);
const SHARE_MESSAGE = 'revenueShareBps must be an integer from 0 to 10000 (basis points of the platform fee).';

export class CreatePartnerDto {
  @ApiProperty({ example: 'Acme Help Desk', minLength: 1, maxLength: 120 })
  @Matches(DISPLAY_NAME_ALLOWED, { message: 'name must not contain control or invisible formatting characters.' })
  @MinLength(1, { message: 'name must not be empty.' })
  @MaxLength(120, { message: 'name must be at most 120 characters.' })
  @IsString({ message: 'name must be a string.' })
  @Transform(asName)
  name!: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 10000, default: 0, description: 'The partner\'s share of the platform fee on requests its users post.' })
  @IsOptional()
  @IsInt({ message: SHARE_MESSAGE })
  @Min(0, { message: SHARE_MESSAGE })
  @Max(10000, { message: SHARE_MESSAGE })
  revenueShareBps?: number;
}

export class UpdatePartnerDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 120 })
  @IsOptional()
  @Matches(DISPLAY_NAME_ALLOWED, { message: 'name must not contain control or invisible formatting characters.' })
  @MinLength(1, { message: 'name must not be empty.' })
  @MaxLength(120, { message: 'name must be at most 120 characters.' })
  @IsString({ message: 'name must be a string.' })
  @Transform(asName)
  name?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 10000 })
  @IsOptional()
  @IsInt({ message: SHARE_MESSAGE })
  @Min(0, { message: SHARE_MESSAGE })
  @Max(10000, { message: SHARE_MESSAGE })
  revenueShareBps?: number;
}

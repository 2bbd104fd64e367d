import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import {
  DISPLAY_NAME_ALLOWED,
  DISPLAY_NAME_MAX_LENGTH,
  EMAIL_MAX_LENGTH,
  EMAIL_OPTIONS,
  normalizeDisplayName,
  normalizeEmail,
  PRINTABLE_ASCII,
} from '../../users/domain/user-input';

const asEmail = ({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value);
const asDisplayName = ({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeDisplayName(value) : value);
export const PARTNER_USER_ROLES = ['customer', 'expert'] as const;
const EXTERNAL_ID_MESSAGE = 'externalId must be 1 to 255 printable ASCII characters.';

export class CreatePartnerUserDto {
  @ApiProperty({ example: 'alice@example.com', maxLength: EMAIL_MAX_LENGTH })
  @IsEmail(EMAIL_OPTIONS, { message: 'email must be a valid email address.' })
  @Matches(PRINTABLE_ASCII, { message: 'email must contain only ASCII letters, digits and symbols.' })
  @MaxLength(EMAIL_MAX_LENGTH, { message: `email must be at most ${EMAIL_MAX_LENGTH} characters.` })
  @IsString({ message: 'email must be a string.' })
  @Transform(asEmail)
  email!: string;

  @ApiProperty({ example: 'Alice', minLength: 1, maxLength: DISPLAY_NAME_MAX_LENGTH })
  @Matches(DISPLAY_NAME_ALLOWED, { message: 'displayName must not contain control or invisible formatting characters.' })
  @MinLength(1, { message: 'displayName must not be empty.' })
  @MaxLength(DISPLAY_NAME_MAX_LENGTH, { message: `displayName must be at most ${DISPLAY_NAME_MAX_LENGTH} characters.` })
  @IsString({ message: 'displayName must be a string.' })
  @Transform(asDisplayName)
  displayName!: string;

  @ApiProperty({ enum: PARTNER_USER_ROLES })
  @IsIn(PARTNER_USER_ROLES, { message: 'role must be "customer" or "expert".' })
  role!: (typeof PARTNER_USER_ROLES)[number];

  @ApiPropertyOptional({ maxLength: 255, description: 'The partner\'s own id for the user; unique per partner. Creating it again returns the existing user (200).' })
  @IsOptional()
  @Matches(/^[\x20-\x7e]+$/, { message: EXTERNAL_ID_MESSAGE })
  @MaxLength(255, { message: EXTERNAL_ID_MESSAGE })
  @IsString({ message: EXTERNAL_ID_MESSAGE })
  externalId?: string;
}

/** `GET /v1/partner/users?externalId=&limit=&cursor=` */
export class ListPartnerUsersQuery extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 255 })
  @IsOptional()
  @Matches(/^[\x20-\x7e]+$/, { message: EXTERNAL_ID_MESSAGE })
  @MaxLength(255, { message: EXTERNAL_ID_MESSAGE })
  @IsString({ message: EXTERNAL_ID_MESSAGE })
  externalId?: string;
}

import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import {
  DISPLAY_NAME_ALLOWED,
  DISPLAY_NAME_MAX_LENGTH,
  EMAIL_MAX_LENGTH,
  EMAIL_OPTIONS,
  normalizeDisplayName,
  normalizeEmail,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PRINTABLE_ASCII,
} from '../../users/domain/user-input';

/** Runs before validation; leaves non-strings alone so IsString reports them. */
export const asNormalizedEmail = ({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value);
const asDisplayName = ({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeDisplayName(value) : value);

/** Self-service sign-up: only customers and experts; admins come from the CLI or the environment. */
export const SELF_SERVICE_ROLES = ['customer', 'expert'] as const;

// Decorators apply bottom-up and validation stops at the first failure, so the cheap length
// checks (listed last) run first: a 1 MB password is refused before anything else looks at it.
export class RegisterDto {
  @ApiProperty({ example: 'alice@example.com', maxLength: EMAIL_MAX_LENGTH, description: 'Case-insensitive; stored lower-cased.' })
  @IsEmail(EMAIL_OPTIONS, { message: 'email must be a valid email address.' })
  @Matches(PRINTABLE_ASCII, { message: 'email must contain only ASCII letters, digits and symbols.' })
  @MaxLength(EMAIL_MAX_LENGTH, { message: `email must be at most ${EMAIL_MAX_LENGTH} characters.` })
  @IsString({ message: 'email must be a string.' })
  @Transform(asNormalizedEmail)
  email!: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, format: 'password' })
  @MinLength(PASSWORD_MIN_LENGTH, { message: `password must be at least ${PASSWORD_MIN_LENGTH} characters.` })
  @MaxLength(PASSWORD_MAX_LENGTH, { message: `password must be at most ${PASSWORD_MAX_LENGTH} characters.` })
  @IsString({ message: 'password must be a string.' })
  password!: string;

  @ApiProperty({ example: 'Alice', minLength: 1, maxLength: DISPLAY_NAME_MAX_LENGTH, description: 'Trimmed; no control or invisible formatting characters.' })
  @Matches(DISPLAY_NAME_ALLOWED, { message: 'displayName must not contain control or invisible formatting characters.' })
  @MinLength(1, { message: 'displayName must not be empty.' })
  @MaxLength(DISPLAY_NAME_MAX_LENGTH, { message: `displayName must be at most ${DISPLAY_NAME_MAX_LENGTH} characters.` })
  @IsString({ message: 'displayName must be a string.' })
  @Transform(asDisplayName)
  displayName!: string;

  @ApiProperty({ enum: SELF_SERVICE_ROLES })
  @IsIn(SELF_SERVICE_ROLES, { message: 'role must be "customer" or "expert".' })
  role!: (typeof SELF_SERVICE_ROLES)[number];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH } from '../../users/domain/user-input';
import { asNormalizedEmail } from './register.dto';

/** Device tokens we issue are 43 characters; anything much longer is not one. */
export const DEVICE_TOKEN_MAX_LENGTH = 256;

/** Only shape and size are checked: any wrong email or password is the same 401 (S2). */
export class LoginDto {
  @ApiProperty({ example: 'alice@example.com', maxLength: EMAIL_MAX_LENGTH })
  @MinLength(1, { message: 'email must not be empty.' })
  @MaxLength(EMAIL_MAX_LENGTH, { message: `email must be at most ${EMAIL_MAX_LENGTH} characters.` })
  @IsString({ message: 'email must be a string.' })
  @Transform(asNormalizedEmail)
  email!: string;

  @ApiProperty({ maxLength: PASSWORD_MAX_LENGTH, format: 'password' })
  @MinLength(1, { message: 'password must not be empty.' })
  @MaxLength(PASSWORD_MAX_LENGTH, { message: `password must be at most ${PASSWORD_MAX_LENGTH} characters.` })
  @IsString({ message: 'password must be a string.' })
  password!: string;

  @ApiPropertyOptional({
    maxLength: DEVICE_TOKEN_MAX_LENGTH,
    description:
      'The `deviceToken` an earlier login of this account returned to this client. While many failed logins keep the account from new devices, a client presenting it still logs in with the right password.',
  })
  // Absent is fine; null is not (it has no meaning here), unlike IsOptional which lets it through.
  @ValidateIf((_dto: unknown, value: unknown) => value !== undefined)
  @MinLength(1, { message: 'deviceToken must not be empty.' })
  @MaxLength(DEVICE_TOKEN_MAX_LENGTH, { message: `deviceToken must be at most ${DEVICE_TOKEN_MAX_LENGTH} characters.` })
  @IsString({ message: 'deviceToken must be a string.' })
  deviceToken?: string;
}

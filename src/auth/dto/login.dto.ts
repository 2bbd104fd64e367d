import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH } from '../../users/domain/user-input';
import { asNormalizedEmail } from './register.dto';

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
}

import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** Body of POST /v1/auth/refresh and /v1/auth/logout. */
export class RefreshTokenDto {
  @ApiProperty({ description: 'The opaque refresh token from login, register or the last refresh.', maxLength: 256 })
  @MinLength(1, { message: 'refreshToken must not be empty.' })
  @MaxLength(256, { message: 'refreshToken must be at most 256 characters.' })
  @IsString({ message: 'refreshToken must be a string.' })
  refreshToken!: string;
}

import { ApiProperty } from '@nestjs/swagger';
import { UserResponse } from '../../users/dto/user.response';
import type { Session } from '../auth.service';

/** register, login and refresh: the user and a fresh token pair. */
export class AuthResponse {
  @ApiProperty({ type: UserResponse })
  user!: UserResponse;

  @ApiProperty({ description: 'JWT (HS256) for `Authorization: Bearer`, valid 15 minutes.' })
  accessToken!: string;

  @ApiProperty({ description: 'Opaque, valid 30 days, single use: each refresh returns a new one.' })
  refreshToken!: string;

  static from(session: Session): AuthResponse {
    return { user: UserResponse.from(session.user), accessToken: session.accessToken, refreshToken: session.refreshToken };
  }
}

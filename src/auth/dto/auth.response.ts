import { ApiProperty } from '@nestjs/swagger';
import { UserResponse } from '../../users/dto/user.response';
import type { LoginSession, Session } from '../auth.service';

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

/** login: the session and this client's device token (S7). */
export class LoginResponse extends AuthResponse {
  @ApiProperty({
    description:
      'Opaque; identifies this client to this account for a year from its last login. Keep it and send it with the next login: while the account is under protection after many failed logins from elsewhere, only clients presenting theirs log in.',
  })
  deviceToken!: string;

  static fromLogin(session: LoginSession): LoginResponse {
    return { ...AuthResponse.from(session), deviceToken: session.deviceToken };
  }
}

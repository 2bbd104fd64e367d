import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Role } from '../common/auth/principal';

/** Access tokens live 15 minutes (contract §2). */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
/** Pinned everywhere a token is signed or verified (A6, S4). */
export const JWT_ALGORITHM = 'HS256' as const;

export interface AccessClaims {
  sub: string;
  role: Role;
  /** Distinguishes access tokens from any other JWT we might sign with the same key. */
  typ: 'access';
  iat?: number;
  exp?: number;
}

@Injectable()
export class AccessTokens {
  constructor(private readonly jwt: JwtService) {}

  sign(user: { id: string; role: Role }): string {
    const claims: AccessClaims = { sub: user.id, role: user.role, typ: 'access' };
    return this.jwt.sign(claims, { algorithm: JWT_ALGORITHM, expiresIn: ACCESS_TOKEN_TTL_SECONDS });
  }
}

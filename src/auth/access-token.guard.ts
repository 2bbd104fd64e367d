import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AuthedRequest, IS_PUBLIC, Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { JwtStrategy } from './jwt.strategy';

/**
 * The global authentication guard (APP_GUARD, first): every route needs a valid access token
 * unless it is @Public(). Passport's failures become our envelope, never Nest's
 * UnauthorizedException: no header → `authentication_required`; anything wrong with the
 * token → `invalid_token`; a suspended user → `account_suspended`.
 */
@Injectable()
export class AccessTokenGuard extends AuthGuard() {
  constructor(
    private readonly reflector: Reflector,
    strategy: JwtStrategy,
  ) {
    super({ defaultStrategy: strategy.name, session: false, property: 'principal' });
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    if (!request.headers.authorization) {
      throw new DomainError('authentication_required', 'This route needs Authorization: Bearer <accessToken>.');
    }
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<T = Principal>(err: unknown, principal: T | false, info: unknown): T {
    if (err instanceof DomainError) throw err;
    if (err || !principal) {
      const expired = (info as Error | undefined)?.name === 'TokenExpiredError';
      throw new DomainError('invalid_token', expired ? 'The access token has expired.' : 'The access token is invalid.');
    }
    return principal;
  }
}

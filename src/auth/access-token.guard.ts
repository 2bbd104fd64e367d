import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AuthedRequest, CallerRole, IS_PUBLIC, Principal, REQUIRED_ROLES } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { requestContext } from '../common/http/request-context';
import { isPublicRead } from '../common/rate-limit/public-read.decorator';
import { PartnerAuthService } from '../partners/partner-auth.service';
import { JwtStrategy } from './jwt.strategy';

/**
 * The global authentication guard (APP_GUARD, first): every route needs credentials unless it
 * is @Public(), or a @PublicRead() and none are sent. A user's access token (Authorization: Bearer), or a partner's key (X-Api-Key):
 * the partner itself on partner routes, one of its users with X-On-Behalf-Of elsewhere.
 * Passport's failures become our envelope, never Nest's UnauthorizedException: no credentials
 * → `authentication_required`; anything wrong with the token → `invalid_token`; a suspended
 * user → `account_suspended`; a bad key → `invalid_api_key`. A @PublicRead() route needs no
 * credentials, but checks the ones sent exactly as any route does (a partner's key alone is
 * accepted there, as on partner routes).
 */
@Injectable()
export class AccessTokenGuard extends AuthGuard() {
  constructor(
    private readonly reflector: Reflector,
    strategy: JwtStrategy,
    private readonly partners: PartnerAuthService,
  ) {
    super({ defaultStrategy: strategy.name, session: false, property: 'principal' });
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const apiKey = request.headers['x-api-key'];
    const publicRead = isPublicRead(context);
    if (publicRead && apiKey === undefined && request.headers.authorization === undefined) return true;
    if (apiKey !== undefined) {
      const roles = this.reflector.getAllAndOverride<CallerRole[] | undefined>(REQUIRED_ROLES, targets);
      // A partner-only route is the partner's own business; anywhere else X-On-Behalf-Of names the user it acts as.
      const partnerOnly = roles !== undefined && roles.length > 0 && roles.every((r) => r === 'partner');
      request.principal = await this.partners.principalFor(apiKey, request.headers['x-on-behalf-of'], partnerOnly);
      // Every event this request causes records the partner that acted (the audit trail), as does its log line.
      requestContext().partnerId = request.principal.partnerId;
      (request.raw as { partnerId?: string }).partnerId = request.principal.partnerId;
      return true;
    }
    if (!request.headers.authorization) {
      throw new DomainError('authentication_required', 'This route needs Authorization: Bearer <accessToken> (or a partner\'s X-Api-Key).');
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

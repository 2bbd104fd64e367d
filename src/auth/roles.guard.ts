import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthedRequest, CallerRole, REQUIRED_ROLES } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { isPublicRead } from '../common/rate-limit/public-read.decorator';

/**
 * The global role check (APP_GUARD, after authentication): @Roles(...) routes answer 403
 * `forbidden` to anyone else (API5). A partner's key alone reaches only routes that list
 * 'partner' and public reads; on any user route it must name the user it acts for (403
 * `on_behalf_of_required`).
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const roles = this.reflector.getAllAndOverride<CallerRole[] | undefined>(REQUIRED_ROLES, targets);
    const principal = context.switchToHttp().getRequest<AuthedRequest>().principal;
    if (principal?.role === 'partner' && !roles?.includes('partner') && !isPublicRead(context)) {
      throw new DomainError('on_behalf_of_required', 'This route acts as a user: send X-On-Behalf-Of with the id of one of your users.', 'X-On-Behalf-Of');
    }
    if (!roles?.length) return true;
    if (!principal) throw new DomainError('authentication_required', 'This route needs Authorization: Bearer <accessToken>.');
    if (!roles.includes(principal.role)) throw new DomainError('forbidden', 'You are not allowed to do this.');
    return true;
  }
}

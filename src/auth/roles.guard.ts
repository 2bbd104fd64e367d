import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthedRequest, REQUIRED_ROLES, Role } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';

/** The global role check (APP_GUARD, after authentication): @Roles(...) routes answer 403 `forbidden` to anyone else (API5). */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, [context.getHandler(), context.getClass()]);
    if (!roles?.length) return true;
    const principal = context.switchToHttp().getRequest<AuthedRequest>().principal;
    if (!principal) throw new DomainError('authentication_required', 'This route needs Authorization: Bearer <accessToken>.');
    if (!roles.includes(principal.role)) throw new DomainError('forbidden', 'You are not allowed to do this.');
    return true;
  }
}

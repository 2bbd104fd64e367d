import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { FastifyRequest } from 'fastify';

export type Role = 'customer' | 'expert' | 'admin';
export const ROLES: readonly Role[] = ['customer', 'expert', 'admin'];

/** Who is calling: set on the request by the global auth guard once the token checks out. */
export interface Principal {
  userId: string;
  role: Role;
  /** Set when a partner's API key acts for one of its users (X-On-Behalf-Of). */
  partnerId?: string;
}

export type AuthedRequest = FastifyRequest & { principal?: Principal };

export const IS_PUBLIC = 'fixbid:public';
export const REQUIRED_ROLES = 'fixbid:roles';

/** The route needs no authentication (register, login, categories, health...). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The route is only for these roles; anyone else gets 403 `forbidden`. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

/** The authenticated caller of this request (routes that are not @Public()). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});

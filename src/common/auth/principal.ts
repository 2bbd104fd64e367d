import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { FastifyRequest } from 'fastify';

/** A user's role. */
export type Role = 'customer' | 'expert' | 'admin';
export const ROLES: readonly Role[] = ['customer', 'expert', 'admin'];

/** Who may call a route: a user's role, or a partner with its API key alone. */
export type CallerRole = Role | 'partner';

/** Who is calling: set on the request by the global auth guard once the credentials check out. */
export interface Principal {
  /** The user; empty for a partner acting as itself, which only reaches @Roles('partner') routes. */
  userId: string;
  role: CallerRole;
  /** Set for every call made with a partner's API key, alone or for one of its users (X-On-Behalf-Of). */
  partnerId?: string;
}

export type AuthedRequest = FastifyRequest & { principal?: Principal };

export const IS_PUBLIC = 'fixbid:public';
export const REQUIRED_ROLES = 'fixbid:roles';

/** The route needs no authentication and looks at none (register, login, health, Stripe's webhook...). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * The route is only for these roles; anyone else gets 403 `forbidden`. A partner's key alone
 * reaches only routes listing 'partner' (elsewhere: 403 `on_behalf_of_required`).
 */
export const Roles = (...roles: CallerRole[]) => SetMetadata(REQUIRED_ROLES, roles);

/** The authenticated caller of this request (routes that are not @Public()). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});

/** The caller of a @PublicRead() route: undefined when they sent no credentials. */
export const CallerIfAny = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<AuthedRequest>().principal;
});

import { applyDecorators, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { ApiErrors } from '../../docs/error-response';
import { AuthedRequest } from '../auth/principal';

const PUBLIC_READ = 'fixbid:public-read';
const reflector = new Reflector();

/**
 * A read anyone may make without credentials (contract §2 "anyone": categories, expert profiles
 * and lists, published solutions). Credentials, when sent, are still checked — a bad or suspended
 * token is refused as anywhere else, and a partner's key alone is accepted — so a signed-in caller
 * is known to the route. Anonymous calls are counted by the `public` throttler, per address
 * (PUBLIC_RATE_LIMIT_PER_MINUTE), instead of the `default` one; a signed-in caller spends its own
 * `default` budget as on any route. Put it on a controller or on single GET handlers.
 */
export const PublicRead = () =>
  applyDecorators(
    SetMetadata(PUBLIC_READ, true),
    // OpenAPI: no credentials needed (`{}`), a bearer token or a partner key accepted.
    ApiSecurity({}),
    ApiBearerAuth(),
    ApiErrors(401, 429),
  );

export function isPublicRead(context: ExecutionContext): boolean {
  return reflector.getAllAndOverride<boolean | undefined>(PUBLIC_READ, [context.getHandler(), context.getClass()]) === true;
}

/** A public read made with no credentials at all: the `public` throttler's calls. */
export function isAnonymousPublicRead(context: ExecutionContext): boolean {
  return isPublicRead(context) && !context.switchToHttp().getRequest<AuthedRequest>().principal;
}

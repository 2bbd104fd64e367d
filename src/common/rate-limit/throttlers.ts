import { ExecutionContext } from '@nestjs/common';
import { normalizeIp, ThrottlerOptions } from '@nestjs/throttler';
import { FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { normalizeEmail } from '../../users/domain/user-input';
import { AuthedRequest } from '../auth/principal';
import { callerKey } from '../idempotency/request-fingerprint';
import { isAnonymousPublicRead } from './public-read.decorator';
import { callsStripe } from './stripe-calls.decorator';

const MINUTE_MS = 60_000;

/** Brute-force targets: limited per IP and per email on top of the per-caller budget (L1). */
export const AUTH_LIMITED_ROUTES: ReadonlySet<string> = new Set(['POST /v1/auth/login', 'POST /v1/auth/register']);

function requestOf(context: ExecutionContext): FastifyRequest {
  return context.switchToHttp().getRequest<FastifyRequest>();
}

export function isAuthLimitedRoute(request: FastifyRequest): boolean {
  return AUTH_LIMITED_ROUTES.has(`${request.method} ${request.routeOptions?.url ?? ''}`);
}

/** Register is also limited per email; login is not (see the `auth-email` throttler). */
export function isPerEmailLimitedRoute(request: FastifyRequest): boolean {
  return `${request.method} ${request.routeOptions?.url ?? ''}` === 'POST /v1/auth/register';
}

/**
 * The account a login or register is about, normalised as the account's email is (NFKC, lower
 * case), so `ＡＬＩＣＥ@…` and `alice@…` share one budget. Guards run before validation: the body
 * can be anything, and an over-long value is cut before normalising (it fails validation anyway).
 */
export function emailOf(request: FastifyRequest): string | undefined {
  const email = (request.body as { email?: unknown } | undefined)?.email;
  if (typeof email !== 'string') return undefined;
  const normalized = normalizeEmail(email.slice(0, 1024));
  return normalized === '' ? undefined : normalized;
}

/**
 * The named throttlers. `default` counts every request of a caller (user, or IP when anonymous)
 * across all routes, except anonymous public reads; those are `public`'s, one budget per address
 * across every route marked @PublicRead() (categories, experts, solutions). `auth-ip` sees login
 * and register, `auth-email` register only; `stripe` only the routes marked @CallsStripe(), one
 * budget per user (a partner's users each have their own) across all of them. Their Retry-After
 * is set by RateLimitGuard (the library would name it `Retry-After-auth-ip`).
 */
export function throttlersFor(
  config: Pick<AppConfig, 'rateLimitPerMinute' | 'authRateLimitPerMinute' | 'stripeRateLimitPerMinute' | 'publicRateLimitPerMinute'>,
): ThrottlerOptions[] {
  return [
    { name: 'default', ttl: MINUTE_MS, limit: config.rateLimitPerMinute, skipIf: (context) => isAnonymousPublicRead(context) },
    {
      name: 'public',
      ttl: MINUTE_MS,
      limit: config.publicRateLimitPerMinute,
      setHeaders: false,
      skipIf: (context) => !isAnonymousPublicRead(context),
      getTracker: (req) => `ip:${normalizeIp((req as FastifyRequest).ip)}`,
    },
    {
      name: 'auth-ip',
      ttl: MINUTE_MS,
      limit: config.authRateLimitPerMinute,
      setHeaders: false,
      skipIf: (context) => !isAuthLimitedRoute(requestOf(context)),
      getTracker: (req) => `ip:${normalizeIp((req as FastifyRequest).ip)}`,
    },
    {
      name: 'auth-email',
      ttl: MINUTE_MS,
      limit: config.authRateLimitPerMinute,
      setHeaders: false,
      // Sign-ups only: a per-email login limit would let anyone keep an owner out of their own
      // devices (S7); login failures per email are counted by the login protection (src/auth).
      // Without an email the request fails validation; the per-IP limit still counts it.
      skipIf: (context) => !isPerEmailLimitedRoute(requestOf(context)) || !emailOf(requestOf(context)),
      getTracker: (req) => `email:${emailOf(req as FastifyRequest)}`,
    },
    {
      name: 'stripe',
      ttl: MINUTE_MS,
      limit: config.stripeRateLimitPerMinute,
      setHeaders: false,
      skipIf: (context) => !callsStripe(context),
      getTracker: (req) => callerKey((req as AuthedRequest).principal, normalizeIp((req as AuthedRequest).ip)),
    },
  ];
}

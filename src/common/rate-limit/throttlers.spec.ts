import { ExecutionContext } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { PublicRead } from './public-read.decorator';
import { CallsStripe } from './stripe-calls.decorator';
import { emailOf, isAuthLimitedRoute, isPerEmailLimitedRoute, throttlersFor } from './throttlers';

const request = (method: string, url: string, body?: unknown) =>
  ({ method, routeOptions: { url }, body }) as unknown as FastifyRequest;

describe('rate-limit throttlers (L1)', () => {
  it('only login and register get the per-IP and per-email limits', () => {
    expect(isAuthLimitedRoute(request('POST', '/v1/auth/login'))).toBe(true);
    expect(isAuthLimitedRoute(request('POST', '/v1/auth/register'))).toBe(true);
    expect(isAuthLimitedRoute(request('POST', '/v1/auth/refresh'))).toBe(false);
    expect(isAuthLimitedRoute(request('GET', '/v1/auth/login'))).toBe(false);
  });

  it('S7 only register is limited per email: login failures per email are the login protection\'s', () => {
    expect(isPerEmailLimitedRoute(request('POST', '/v1/auth/register'))).toBe(true);
    expect(isPerEmailLimitedRoute(request('POST', '/v1/auth/login'))).toBe(false);
  });

  it('the email is the account identity: trimmed, NFKC, lower case; non-strings have none', () => {
    expect(emailOf(request('POST', '/v1/auth/login', { email: '  Alice@Example.COM ' }))).toBe('alice@example.com');
    expect(emailOf(request('POST', '/v1/auth/login', { email: 'ａｌｉｃｅ@example.com' }))).toBe('alice@example.com');
    expect(emailOf(request('POST', '/v1/auth/login', { email: ['a@b.c'] }))).toBeUndefined();
    expect(emailOf(request('POST', '/v1/auth/login', { email: '   ' }))).toBeUndefined();
    expect(emailOf(request('POST', '/v1/auth/login', undefined))).toBeUndefined();
  });

  const LIMITS = { rateLimitPerMinute: 5, authRateLimitPerMinute: 3, stripeRateLimitPerMinute: 2, publicRateLimitPerMinute: 7 };

  it('limits come from the configuration, one minute windows', () => {
    const throttlers = throttlersFor(LIMITS);
    expect(throttlers.map((t) => [t.name, t.limit, t.ttl])).toEqual([
      ['default', 5, 60_000],
      ['public', 7, 60_000],
      ['auth-ip', 3, 60_000],
      ['auth-email', 3, 60_000],
      ['stripe', 2, 60_000],
    ]);
  });

  it('the stripe budget only sees routes marked @CallsStripe(), and is per user', () => {
    const stripe = throttlersFor(LIMITS).find((t) => t.name === 'stripe')!;
    class Routes {
      @CallsStripe() accept(): void {}
      list(): void {}
    }
    const context = (handler: () => void) => ({ getHandler: () => handler, getClass: () => Routes }) as unknown as ExecutionContext;
    expect(stripe.skipIf!(context(Routes.prototype.accept))).toBe(false);
    expect(stripe.skipIf!(context(Routes.prototype.list))).toBe(true);
    const tracker = (principal: unknown) => stripe.getTracker!({ principal, ip: '10.0.0.1' } as never, context(Routes.prototype.accept));
    expect(tracker({ userId: 'u1', role: 'customer' })).toBe('user:u1');
    expect(tracker({ userId: 'u1', role: 'customer', partnerId: 'p1' })).toBe('partner:p1:user:u1');
    expect(tracker({ userId: '', role: 'partner', partnerId: 'p1' })).toBe('partner:p1');
  });

  it('API4 anonymous public reads spend the per-address `public` budget, not `default`; signed-in ones their own `default`', () => {
    const throttlers = throttlersFor(LIMITS);
    const byName = (name: string) => throttlers.find((t) => t.name === name)!;
    @PublicRead()
    class PublicRoutes {
      list(): void {}
    }
    class Routes {
      @PublicRead() read(): void {}
      me(): void {}
    }
    const context = (cls: object, handler: () => void, principal?: unknown) =>
      ({
        getHandler: () => handler,
        getClass: () => cls,
        switchToHttp: () => ({ getRequest: () => ({ principal, ip: '203.0.113.9' }) }),
      }) as unknown as ExecutionContext;
    const anonymous = [context(PublicRoutes, PublicRoutes.prototype.list), context(Routes, Routes.prototype.read)];
    for (const c of anonymous) {
      expect(byName('public').skipIf!(c)).toBe(false);
      expect(byName('default').skipIf!(c)).toBe(true);
    }
    const signedIn = context(Routes, Routes.prototype.read, { userId: 'u1', role: 'customer' });
    expect(byName('public').skipIf!(signedIn)).toBe(true);
    expect(byName('default').skipIf!(signedIn)).toBe(false);
    const privateRoute = context(Routes, Routes.prototype.me);
    expect(byName('public').skipIf!(privateRoute)).toBe(true);
    expect(byName('default').skipIf!(privateRoute)).toBe(false);
    expect(byName('public').getTracker!({ ip: '203.0.113.9' } as never, anonymous[0])).toBe('ip:203.0.113.9');
  });
});

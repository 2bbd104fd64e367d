import { createHash } from 'node:crypto';
import { ExecutionContext, Injectable } from '@nestjs/common';
import { normalizeIp, ThrottlerException, ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { FastifyReply } from 'fastify';
import { AuthedRequest } from '../auth/principal';
import { callerKey } from '../idempotency/request-fingerprint';

/**
 * @nestjs/throttler's guard with Fixbid's keys: one budget per caller across all routes (not per
 * route), the principal set by the auth guard (which must be registered before this one), and a
 * plain `Retry-After` whichever throttler refused. The error filter makes the 429 envelope.
 * Health and metrics controllers opt out with @SkipThrottle().
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as AuthedRequest;
    // A partner has one budget for everything its key does, for itself or any of its users.
    if (request.principal?.partnerId) return `partner:${request.principal.partnerId}`;
    return callerKey(request.principal, normalizeIp(request.ip, this.ipv6SubnetPrefix));
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return createHash('sha256').update(`${throttlerName}:${tracker}`).digest('hex');
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    reply.header('Retry-After', String(Math.max(1, detail.timeToBlockExpire)));
    throw new ThrottlerException('Too many requests.');
  }
}

import { applyDecorators, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiErrors } from '../../docs/error-response';

const CALLS_STRIPE = 'fixbid:calls-stripe';
const reflector = new Reflector();

/**
 * The route's service calls Stripe while the request waits (creates an account, an account link,
 * a PaymentIntent, a Transfer, a Refund, or cancels a PaymentIntent). Each caller then also has
 * the `stripe` budget (STRIPE_RATE_LIMIT_PER_MINUTE, shared by all such routes), so a few accounts
 * cannot spend the platform's own Stripe rate limit or burn single-use account links.
 */
export const CallsStripe = () => applyDecorators(SetMetadata(CALLS_STRIPE, true), ApiErrors(429));

export function callsStripe(context: ExecutionContext): boolean {
  return reflector.getAllAndOverride<boolean | undefined>(CALLS_STRIPE, [context.getHandler(), context.getClass()]) === true;
}

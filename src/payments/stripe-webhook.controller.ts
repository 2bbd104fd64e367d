import { Controller, Headers, HttpCode, HttpStatus, Post, RawBodyRequest, Req } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { FastifyRequest } from 'fastify';
import { Public } from '../common/auth/principal';
import { ApiErrors } from '../docs/error-response';
import { WebhookReceiptResponse } from './dto/webhook-receipt.response';
import { StripeWebhookService } from './stripe-webhook.service';

/**
 * Stripe's events. Public (Stripe has no token; the signature is the authentication) and never
 * throttled: a burst of redeliveries must not be refused. Stripe sends no Idempotency-Key, so the
 * idempotency interceptor never engages; the event id is the idempotency key here (W2).
 */
@ApiTags('webhooks')
@Controller('v1/webhooks')
export class StripeWebhookController {
  constructor(private readonly webhooks: StripeWebhookService) {}

  @Post('stripe')
  @Public()
  @SkipThrottle()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Receive a Stripe event',
    description:
      '`Stripe-Signature` is verified on the raw body (±300 s); a bad, missing or stale signature is 400 `invalid_signature` and changes nothing. ' +
      'Each event id is applied at most once; duplicates and unknown types answer 200 and change nothing.',
  })
  @ApiHeader({ name: 'stripe-signature', required: true, description: '`t=<unix seconds>,v1=<hex HMAC-SHA256>`' })
  @ApiOkResponse({ type: WebhookReceiptResponse })
  @ApiErrors(400, 502, 503)
  async receive(@Req() req: RawBodyRequest<FastifyRequest>, @Headers('stripe-signature') signature?: string): Promise<WebhookReceiptResponse> {
    return this.webhooks.receive(req.rawBody, signature);
  }
}

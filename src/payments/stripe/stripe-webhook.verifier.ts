import { Inject, Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { STRIPE_CLIENT } from './stripe.client';
import { EventView, viewEvent } from './stripe-objects';

/** Stripe's default, both ways: older than this is a replay, further ahead is not Stripe's clock (W1, F8). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const refused = (why: string) => new DomainError('invalid_signature', `Stripe-Signature check failed: ${why}.`, 'Stripe-Signature');

/**
 * W1/B8: `Stripe-Signature` is checked by the SDK's constructEvent on the raw bytes as received
 * (constant-time compare, default 300 s tolerance); a re-serialized body no longer matches. The
 * SDK lets a timestamp from the future through, so that side of the window is checked here.
 */
@Injectable()
export class StripeWebhookVerifier {
  constructor(
    @Inject(STRIPE_CLIENT) private readonly stripe: Stripe,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  verify(rawBody: Buffer | undefined, header: string | string[] | undefined, nowMs = Date.now()): EventView {
    const secret = this.config.stripe.webhookSecret;
    if (!secret) throw refused('no webhook signing secret is configured');
    if (!rawBody || rawBody.length === 0) throw refused('empty body');
    if (typeof header !== 'string' || header.length === 0 || header.length > 2048) throw refused('missing or malformed header');
    let event: unknown;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, header, secret, WEBHOOK_TOLERANCE_SECONDS);
    } catch {
      throw refused('signature or timestamp does not match');
    }
    const timestamp = signedAt(header);
    if (timestamp === null || timestamp - nowMs / 1000 > WEBHOOK_TOLERANCE_SECONDS) throw refused('timestamp outside the tolerance zone');
    try {
      return viewEvent(event);
    } catch {
      throw refused('not a Stripe event');
    }
  }
}

/** The `t=` of a `t=<unix seconds>,v1=<hex>` header. */
function signedAt(header: string): number | null {
  const part = header.split(',').find((item) => item.trim().startsWith('t='));
  const value = part?.trim().slice(2);
  return value && /^\d{1,12}$/.test(value) ? Number(value) : null;
}

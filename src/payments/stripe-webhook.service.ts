import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { withTransaction } from '../database/transaction';
import { ChargebackService } from './chargeback.service';
import { FundingService } from './funding.service';
import { PaymentFaults } from './payment-faults';
import { PayoutAccountSyncService } from './payout-account-sync.service';
import { RefundService } from './refund.service';
import { StripeEventRecord } from './stripe-event.entity';
import { StripeGateway } from './stripe/stripe.gateway';
import { EventView, stripeId } from './stripe/stripe-objects';
import { StripeWebhookVerifier } from './stripe/stripe-webhook.verifier';

export interface WebhookReceipt {
  received: true;
  /** true when this event id was applied before (or is being applied right now by another delivery). */
  duplicate: boolean;
  /** true for event types Fixbid does not act on. */
  ignored: boolean;
}

/** Reads what an event is about, fresh from Stripe (outside any transaction), then applies it in one. */
interface EventHandler {
  read(event: EventView): Promise<unknown>;
  apply(em: EntityManager, fresh: unknown, event: EventView): Promise<unknown>;
}

function handler<T>(read: (event: EventView) => Promise<T>, apply: (em: EntityManager, fresh: T, event: EventView) => Promise<unknown>): EventHandler {
  return { read, apply: (em, fresh, event) => apply(em, fresh as T, event) };
}

/**
 * POST /v1/webhooks/stripe: verify (W1), skip what was applied (W2), re-read the object from
 * Stripe where order matters (W3), then one transaction holding both the stripe_events row and
 * the effect — a duplicate finds the row and changes nothing; a failure rolls both back, so the
 * redelivery applies it once (F4). Slow work (refunds, payouts) is left to jobs (W4).
 */
@Injectable()
export class StripeWebhookService {
  private readonly logger = new Logger(StripeWebhookService.name);
  private readonly handlers: Record<string, EventHandler>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly verifier: StripeWebhookVerifier,
    private readonly gateway: StripeGateway,
    private readonly faults: PaymentFaults,
    funding: FundingService,
    refunds: RefundService,
    chargebacks: ChargebackService,
    accounts: PayoutAccountSyncService,
  ) {
    const paymentIntent = handler(
      (event) => this.gateway.retrievePaymentIntent(stripeId(event.object.id, ['pi_'], 'payment_intent id')),
      (em, pi, event) => funding.applyPaymentIntent(em, pi, event.type),
    );
    this.handlers = {
      'payment_intent.succeeded': paymentIntent,
      'payment_intent.payment_failed': paymentIntent,
      'payment_intent.canceled': paymentIntent,
      'charge.refunded': handler(
        (event) => this.gateway.listChargeRefunds(stripeId(event.object.id, ['ch_', 'py_'], 'charge id')),
        (em, refundList, event) => refunds.applyChargeRefunds(em, String(event.object.id), refundList),
      ),
      'charge.dispute.created': handler(
        (event) => this.gateway.retrieveDispute(stripeId(event.object.id, ['dp_', 'du_'], 'dispute id')),
        (em, dispute) => chargebacks.applyChargeback(em, dispute),
      ),
      'account.updated': handler(
        (event) => this.gateway.retrieveAccount(stripeId(event.object.id, ['acct_'], 'account id')),
        (em, account, event) => accounts.applyAccountUpdated(em, account, new Date(event.created * 1000)),
      ),
    };
  }

  async receive(rawBody: Buffer | undefined, signature: string | string[] | undefined): Promise<WebhookReceipt> {
    const event = this.verifier.verify(rawBody, signature);
    const eventHandler = this.handlers[event.type];
    if (!eventHandler) return { received: true, duplicate: false, ignored: true };
    if (await this.ds.getRepository(StripeEventRecord).existsBy({ id: event.id })) return { received: true, duplicate: true, ignored: false };
    const fresh = await eventHandler.read(event);
    const applied = await withTransaction(this.ds, async (em) => {
      const [inserted] = (await em.query(
        `INSERT INTO stripe_events (id, type, created) VALUES ($1, $2, to_timestamp($3)) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [event.id, event.type, event.created],
      )) as Array<{ id: string }>;
      if (!inserted) return false;
      await eventHandler.apply(em, fresh, event);
      this.faults.hit('webhook_after_apply');
      return true;
    });
    if (applied) this.logger.log({ stripeEvent: event.id, type: event.type }, 'stripe event applied');
    return { received: true, duplicate: !applied, ignored: false };
  }
}

import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { updatedRows } from '../database/hydrate';
import { withTransaction } from '../database/transaction';
import { JobsService } from '../jobs/jobs.service';
import { ChargebackService } from './chargeback.service';
import { FundingService } from './funding.service';
import { PaymentFaults } from './payment-faults';
import { STRIPE_EVENT_JOB, StripeEventJob } from './payment-jobs';
import { PayoutAccountSyncService } from './payout-account-sync.service';
import { RefundService } from './refund.service';
import { StripeEventInbox } from './stripe-event-inbox.service';
import { StripeGateway } from './stripe/stripe.gateway';
import { EventView, stripeId } from './stripe/stripe-objects';
import { StripeWebhookVerifier } from './stripe/stripe-webhook.verifier';

export interface WebhookReceipt {
  received: true;
  /** true when this event id was received before (it is applied once, whichever delivery brought it). */
  duplicate: boolean;
  /** true for event types Fixbid does not act on. */
  ignored: boolean;
}

/** `applied`, or `unlinked:<id>` — about an object not linked to ours yet: the event waits for that charge or PaymentIntent. */
type Applied = 'applied' | { unlinked: string };

/** Reads what an event is about, fresh from Stripe (outside any transaction), then applies it in one. */
interface EventHandler {
  read(event: EventView): Promise<unknown>;
  apply(em: EntityManager, fresh: unknown, event: EventView): Promise<Applied>;
}

function handler<T>(read: (event: EventView) => Promise<T>, apply: (em: EntityManager, fresh: T, event: EventView) => Promise<Applied>): EventHandler {
  return { read, apply: (em, fresh, event) => apply(em, fresh as T, event) };
}

const DISPUTE_EVENTS = ['created', 'updated', 'closed', 'funds_withdrawn', 'funds_reinstated'].map((t) => `charge.dispute.${t}`);

/**
 * POST /v1/webhooks/stripe: verify (W1) and store the event with its job (W4: the answer never
 * waits for Stripe), then apply it — right after the answer, and by the job if that fails: re-read
 * the object from Stripe where order matters (W3), then one transaction holding the effect and
 * the row's `applied` status, so an event is applied at most once (W2) and a failure rolls both
 * back for the job to retry (F4). Slow work (refunds, payouts, reversals) is left to its own jobs.
 */
@Injectable()
export class StripeWebhookService implements OnModuleInit {
  private readonly logger = new Logger(StripeWebhookService.name);
  private readonly handlers: Record<string, EventHandler>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly verifier: StripeWebhookVerifier,
    private readonly gateway: StripeGateway,
    private readonly faults: PaymentFaults,
    private readonly inbox: StripeEventInbox,
    private readonly jobs: JobsService,
    funding: FundingService,
    refunds: RefundService,
    chargebacks: ChargebackService,
    accounts: PayoutAccountSyncService,
  ) {
    const paymentIntent = handler(
      (event) => this.gateway.retrievePaymentIntent(stripeId(event.object.id, ['pi_'], 'payment_intent id')),
      async (em, pi, event) => ((await funding.applyPaymentIntent(em, pi, event.type)) === 'unknown' ? { unlinked: pi.id } : 'applied'),
    );
    const chargeRefunds = handler(
      (event) => this.gateway.listChargeRefunds(stripeId(event.object.id, ['ch_', 'py_'], 'charge id')),
      async (em, refundList, event) => {
        const chargeId = String(event.object.id);
        return (await refunds.applyChargeRefunds(em, chargeId, refundList)) === 'unlinked' ? { unlinked: chargeId } : 'applied';
      },
    );
    const oneRefund = handler(
      (event) => this.gateway.retrieveRefund(stripeId(event.object.id, ['re_', 'pyr_'], 'refund id')),
      async (em, refund) => {
        const applied = await refunds.applyChargeRefunds(em, refund.chargeId ?? '', [refund]);
        return applied === 'unlinked' ? { unlinked: refund.chargeId ?? refund.paymentIntentId ?? refund.id } : 'applied';
      },
    );
    const dispute = handler(
      (event) => this.gateway.retrieveDispute(stripeId(event.object.id, ['dp_', 'du_'], 'dispute id')),
      async (em, found) => ((await chargebacks.applyDispute(em, found)) === 'unlinked' ? { unlinked: found.paymentIntentId ?? found.chargeId } : 'applied'),
    );
    this.handlers = {
      'payment_intent.succeeded': paymentIntent,
      'payment_intent.payment_failed': paymentIntent,
      'payment_intent.canceled': paymentIntent,
      'charge.refunded': chargeRefunds,
      'charge.refund.updated': oneRefund,
      'refund.updated': oneRefund,
      'refund.failed': oneRefund,
      ...Object.fromEntries(DISPUTE_EVENTS.map((type) => [type, dispute])),
      'account.updated': handler(
        (event) => this.gateway.retrieveAccount(stripeId(event.object.id, ['acct_'], 'account id')),
        async (em, account, event) => {
          await accounts.applyAccountUpdated(em, account, new Date(event.created * 1000));
          return 'applied';
        },
      ),
    };
  }

  onModuleInit(): void {
    this.jobs.register<StripeEventJob>(STRIPE_EVENT_JOB, async ({ eventId }) => void (await this.process(eventId)));
  }

  async receive(rawBody: Buffer | undefined, signature: string | string[] | undefined): Promise<WebhookReceipt> {
    const event = this.verifier.verify(rawBody, signature);
    if (!this.handlers[event.type]) return { received: true, duplicate: false, ignored: true };
    const stored = await this.inbox.store(event);
    // The fast path, after the answer: the job applies it if this fails or the process dies.
    if (stored) setImmediate(() => void this.process(event.id).catch((err: unknown) => this.logger.warn({ err, stripeEvent: event.id }, 'stripe event not applied yet; its job retries')));
    return { received: true, duplicate: !stored, ignored: false };
  }

  /** Applies one stored event once; true when this call applied it (false: done before, waiting, or unknown). */
  async process(eventId: string): Promise<boolean> {
    const [row] = (await this.ds.query(`SELECT id, type, extract(epoch FROM created)::bigint AS "created", object, status FROM stripe_events WHERE id = $1`, [
      eventId,
    ])) as Array<{ id: string; type: string; created: string; object: Record<string, unknown> | null; status: string }>;
    if (!row || row.status !== 'received' || !row.object) return false;
    const eventHandler = this.handlers[row.type];
    if (!eventHandler) return false;
    const event: EventView = { id: row.id, type: row.type, created: Number(row.created), object: row.object };
    const fresh = await eventHandler.read(event);
    const outcome = await withTransaction(this.ds, async (em) => {
      // The row's lock: a second processor waits here, then finds it applied and does nothing.
      const claimed = updatedRows(
        await em.query(`UPDATE stripe_events SET status = 'applied', applied_at = now() WHERE id = $1 AND status = 'received' RETURNING id`, [eventId]),
      );
      if (!claimed[0]) return 'skipped' as const;
      const applied = await eventHandler.apply(em, fresh, event);
      if (applied !== 'applied') {
        await em.query(`UPDATE stripe_events SET status = 'waiting', applied_at = NULL, link_id = $2 WHERE id = $1`, [eventId, applied.unlinked]);
        return 'waiting' as const;
      }
      this.faults.hit('webhook_after_apply');
      return 'applied' as const;
    });
    if (outcome === 'applied') this.logger.log({ stripeEvent: eventId, type: row.type }, 'stripe event applied');
    if (outcome === 'waiting') this.logger.warn({ stripeEvent: eventId, type: row.type }, 'stripe event about an object not linked yet; kept until it is');
    return outcome === 'applied';
  }
}

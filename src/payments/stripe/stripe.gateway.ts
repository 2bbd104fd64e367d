import { Inject, Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { TransferPurpose } from '../domain/transfer-purpose';
import { STRIPE_CLIENT } from './stripe.client';
import { toPaymentProviderError, untrustedAnswer } from './stripe-errors';
import {
  availableBalance,
  PaymentIntentView,
  RefundView,
  ReversalView,
  TransferView,
  viewReversal,
  viewAccount,
  viewDispute,
  viewPaymentIntent,
  viewRefund,
  viewTransfer,
  AccountView,
  DisputeView,
} from './stripe-objects';

export interface NewPaymentIntent {
  /** `pi:<escrowId>`, renewed once 23 h old (stripeKey). */
  idempotencyKey: string;
  escrowId: string;
  requestId: string;
  bidId: string;
  amount: number;
  currency: string;
}

export interface NewTransfer {
  escrowId: string;
  requestId: string;
  /** Whose money it is: the expert's payout or the partner's revenue share (its own key, M3). */
  purpose: TransferPurpose;
  /** The expert's user id, or the partner's id. */
  payeeId: string;
  amount: number;
  currency: string;
  destination: string;
  sourceTransaction: string;
  /** `transfer:<escrowId>` (or `transfer:partner:<escrowId>`), renewed once 23 h old (stripeKey). */
  idempotencyKey: string;
}

export interface NewReversal {
  transferId: string;
  amount: number;
  escrowId: string;
  /** Whose Transfer it takes back from. */
  payee: TransferPurpose;
  idempotencyKey: string;
}

/** Listing only what changed: Stripe's `created` filter, in seconds. */
export interface Since {
  createdGte?: number;
}

export interface NewRefund {
  escrowId: string;
  refundId: string;
  paymentIntentId: string;
  amount: number;
  idempotencyKey: string;
}

/** Who a Connect account pays: an expert (by user id) or a partner (by partner id). */
export interface ConnectOwner {
  kind: 'expert' | 'partner';
  id: string;
}

/** Stripe never lists more than 100 per page; reconciliation stops paging after this many. */
const MAX_LISTED = 100_000;

/**
 * Every Stripe call Fixbid makes, through the official SDK: each create carries an idempotency
 * key built from our ids (M3), errors become our envelope (502/503), and answers are validated
 * before anyone acts on them (API10). Never call it inside an open database transaction (M5).
 */
@Injectable()
export class StripeGateway {
  constructor(@Inject(STRIPE_CLIENT) private readonly stripe: Stripe) {}

  /** Separate charges and transfers: the platform charges, transfer_group ties the later Transfer to it. */
  async createPaymentIntent(input: NewPaymentIntent): Promise<PaymentIntentView> {
    const pi = await this.call(() =>
      this.stripe.paymentIntents.create(
        {
          amount: input.amount,
          currency: input.currency,
          allowed_payment_method_types: ['card'],
          transfer_group: input.requestId,
          description: `Fixbid help request ${input.requestId}`,
          metadata: { requestId: input.requestId, escrowId: input.escrowId, bidId: input.bidId },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    const view = viewPaymentIntent(pi);
    if (view.amount !== input.amount || view.currency !== input.currency || view.metadata.escrowId !== input.escrowId || !view.clientSecret) {
      throw untrustedAnswer('payment_intent does not match the escrow');
    }
    return view;
  }

  async retrievePaymentIntent(id: string): Promise<PaymentIntentView> {
    return viewPaymentIntent(await this.call(() => this.stripe.paymentIntents.retrieve(id)));
  }

  /** The reason is part of the key: Stripe refuses a key reused with other parameters. */
  async cancelPaymentIntent(id: string, escrowId: string, reason: 'requested_by_customer' | 'abandoned'): Promise<PaymentIntentView> {
    const pi = await this.call(() => this.stripe.paymentIntents.cancel(id, { cancellation_reason: reason }, { idempotencyKey: `pi-cancel:${escrowId}:${reason}` }));
    return viewPaymentIntent(pi);
  }

  /**
   * M3: one Transfer per escrow and purpose, whatever retries happen (key `transfer:<escrowId>`
   * for the expert, `transfer:partner:<escrowId>` for the partner). The expert's metadata is what
   * it always was; the partner's names its purpose, so neither is taken for the other.
   */
  async createTransfer(input: NewTransfer): Promise<TransferView> {
    const metadata: Record<string, string> =
      input.purpose === 'expert'
        ? { escrowId: input.escrowId, requestId: input.requestId, expertId: input.payeeId }
        : input.purpose === 'holdback'
          ? { escrowId: input.escrowId, requestId: input.requestId, expertId: input.payeeId, purpose: input.purpose }
          : { escrowId: input.escrowId, requestId: input.requestId, partnerId: input.payeeId, purpose: input.purpose };
    const transfer = await this.call(() =>
      this.stripe.transfers.create(
        {
          amount: input.amount,
          currency: input.currency,
          destination: input.destination,
          source_transaction: input.sourceTransaction,
          transfer_group: input.requestId,
          metadata,
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    const view = viewTransfer(transfer);
    if (view.amount !== input.amount || view.currency !== input.currency || view.destination !== input.destination) {
      throw untrustedAnswer('transfer does not match the payout');
    }
    return view;
  }

  async createRefund(input: NewRefund): Promise<RefundView> {
    const refund = await this.call(() =>
      this.stripe.refunds.create(
        {
          payment_intent: input.paymentIntentId,
          amount: input.amount,
          metadata: { escrowId: input.escrowId, refundId: input.refundId, refundKey: input.idempotencyKey },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    const view = viewRefund(refund);
    if (view.amount !== input.amount || view.paymentIntentId !== input.paymentIntentId) throw untrustedAnswer('refund does not match');
    return view;
  }

  async retrieveRefund(id: string): Promise<RefundView> {
    return viewRefund(await this.call(() => this.stripe.refunds.retrieve(id)));
  }

  /** Item 5: a refund an earlier attempt made, found by listing (Stripe's search does not cover Refunds). */
  listPaymentIntentRefunds(paymentIntentId: string): Promise<RefundView[]> {
    return this.listAll((startingAfter) => this.stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100, starting_after: startingAfter }), viewRefund);
  }

  /** A PaymentIntent made for `escrowId`, found by our metadata (Stripe's search API; it lags writes by about a minute). */
  async searchPaymentIntentsOfEscrow(escrowId: string): Promise<PaymentIntentView[]> {
    if (!/^[0-9a-f-]{36}$/.test(escrowId)) return [];
    const found = await this.call(() => this.stripe.paymentIntents.search({ query: `metadata['escrowId']:'${escrowId}'`, limit: 100 }));
    if (!Array.isArray(found.data)) throw untrustedAnswer('search.data');
    return found.data.map(viewPaymentIntent);
  }

  /** What a connected account has available now in `currency`: a reversal can take back at most this. */
  async connectedBalance(accountId: string, currency: string): Promise<number> {
    return availableBalance(await this.call(() => this.stripe.balance.retrieve({}, { stripeAccount: accountId })), currency);
  }

  /** Takes `amount` back from a Transfer (after a lost chargeback); the key names the escrow and the payee. */
  async createReversal(input: NewReversal): Promise<ReversalView> {
    const reversal = await this.call(() =>
      this.stripe.transfers.createReversal(
        input.transferId,
        { amount: input.amount, metadata: { escrowId: input.escrowId, purpose: input.payee, reversalKey: input.idempotencyKey } },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    const view = viewReversal(reversal);
    if (view.amount !== input.amount || view.transferId !== input.transferId) throw untrustedAnswer('reversal does not match');
    return view;
  }

  listReversals(transferId: string): Promise<ReversalView[]> {
    return this.listAll((startingAfter) => this.stripe.transfers.listReversals(transferId, { limit: 100, starting_after: startingAfter }), viewReversal);
  }

  async retrieveTransfer(id: string): Promise<TransferView> {
    return viewTransfer(await this.call(() => this.stripe.transfers.retrieve(id)));
  }

  async listChargeRefunds(chargeId: string): Promise<RefundView[]> {
    return this.listAll((startingAfter) => this.stripe.refunds.list({ charge: chargeId, limit: 100, starting_after: startingAfter }), viewRefund);
  }

  async retrieveDispute(id: string): Promise<DisputeView> {
    return viewDispute(await this.call(() => this.stripe.disputes.retrieve(id)));
  }

  async retrieveAccount(id: string): Promise<AccountView> {
    return viewAccount(await this.call(() => this.stripe.accounts.retrieve(id)));
  }

  /**
   * For the payout-accounts feature: an Express account that can receive transfers, keyed by its
   * owner — an expert (`account:<userId>`) or a partner (`account:partner:<partnerId>`).
   */
  async createExpressAccount(owner: ConnectOwner, email: string | undefined): Promise<AccountView> {
    const [metadata, idempotencyKey] =
      owner.kind === 'expert' ? [{ userId: owner.id }, `account:${owner.id}`] : [{ partnerId: owner.id }, `account:partner:${owner.id}`];
    const account = await this.call(() =>
      this.stripe.accounts.create({ type: 'express', email, capabilities: { transfers: { requested: true } }, metadata }, { idempotencyKey }),
    );
    return viewAccount(account);
  }

  /** An onboarding link (links expire within minutes, so no idempotency key: each call is a new link). */
  async createOnboardingLink(accountId: string, refreshUrl: string, returnUrl: string): Promise<{ url: string; expiresAt: number }> {
    const link = await this.call(() =>
      this.stripe.accountLinks.create({ account: accountId, type: 'account_onboarding', refresh_url: refreshUrl, return_url: returnUrl }),
    );
    if (typeof link.url !== 'string' || !/^https?:\/\//.test(link.url)) throw untrustedAnswer('account_link.url');
    return { url: link.url, expiresAt: link.expires_at };
  }

  /** M4: the PaymentIntents created since the watermark (all without one), newest first, paged with starting_after. */
  listPaymentIntents(since: Since = {}): Promise<PaymentIntentView[]> {
    return this.listAll(
      (startingAfter) => this.stripe.paymentIntents.list({ limit: 100, starting_after: startingAfter, ...createdFilter(since) }),
      viewPaymentIntent,
    );
  }

  /** The transfers of one request (transfer_group = request id). */
  listTransfersOfGroup(transferGroup: string): Promise<TransferView[]> {
    return this.listAll((startingAfter) => this.stripe.transfers.list({ transfer_group: transferGroup, limit: 100, starting_after: startingAfter }), viewTransfer);
  }

  listTransfers(since: Since = {}): Promise<TransferView[]> {
    return this.listAll((startingAfter) => this.stripe.transfers.list({ limit: 100, starting_after: startingAfter, ...createdFilter(since) }), viewTransfer);
  }

  listRefunds(since: Since = {}): Promise<RefundView[]> {
    return this.listAll((startingAfter) => this.stripe.refunds.list({ limit: 100, starting_after: startingAfter, ...createdFilter(since) }), viewRefund);
  }

  private async listAll<T extends { id: string }>(
    page: (startingAfter: string | undefined) => Promise<{ data: unknown[]; has_more: boolean }>,
    view: (raw: unknown) => T,
  ): Promise<T[]> {
    const all: T[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const list = await this.call(() => page(startingAfter));
      if (!Array.isArray(list.data)) throw untrustedAnswer('list.data');
      const items = list.data.map(view);
      all.push(...items);
      if (!list.has_more || items.length === 0 || all.length >= MAX_LISTED) return all;
      startingAfter = items[items.length - 1].id;
    }
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toPaymentProviderError(err);
    }
  }
}

function createdFilter(since: Since): { created?: { gte: number } } {
  return since.createdGte === undefined ? {} : { created: { gte: since.createdGte } };
}

import { Module } from '@nestjs/common';
import { AdminLedgerController } from './admin-ledger.controller';
import { DisputeOpeningModule } from '../disputes/dispute-opening.module';
import { RequestLifecycleModule } from '../requests/request-lifecycle.module';
import { ChargebackService } from './chargeback.service';
import { EscrowController } from './escrow.controller';
import { EscrowLifecycle } from './escrow-lifecycle.service';
import { EscrowReleaseService } from './escrow-release.service';
import { EscrowService } from './escrow.service';
import { FundingService } from './funding.service';
import { HoldbackService } from './holdback.service';
import { LedgerReportService } from './ledger-report.service';
import { LedgerService } from './ledger.service';
import { PaymentFaults } from './payment-faults';
import { PayoutAccountSyncService } from './payout-account-sync.service';
import { PayoutService } from './payout.service';
import { ReconciliationService } from './reconciliation.service';
import { RefundService } from './refund.service';
import { StripeWebhookController } from './stripe-webhook.controller';
import { StripeEventInbox } from './stripe-event-inbox.service';
import { StripeWebhookService } from './stripe-webhook.service';
import { stripeClientProvider } from './stripe/stripe.client';
import { StripeGateway } from './stripe/stripe.gateway';
import { StripeWebhookVerifier } from './stripe/stripe-webhook.verifier';

/**
 * Escrow payments on Stripe: the escrow (its lifecycle) and its PaymentIntent, the webhook
 * receiver, the ledger, release/payout, refunds, reconciliation, and the Connect accounts'
 * state. Built on the request lifecycle and dispute opening (below it); bids, requests, reviews,
 * disputes and payouts (above it) use the exported services inside their own transactions.
 */
@Module({
  imports: [RequestLifecycleModule, DisputeOpeningModule],
  controllers: [EscrowController, StripeWebhookController, AdminLedgerController],
  providers: [
    stripeClientProvider,
    StripeGateway,
    StripeWebhookVerifier,
    PaymentFaults,
    LedgerService,
    EscrowLifecycle,
    LedgerReportService,
    RefundService,
    PayoutService,
    EscrowReleaseService,
    HoldbackService,
    FundingService,
    EscrowService,
    ChargebackService,
    PayoutAccountSyncService,
    StripeEventInbox,
    StripeWebhookService,
    ReconciliationService,
  ],
  exports: [
    EscrowService,
    EscrowLifecycle,
    EscrowReleaseService,
    HoldbackService,
    RefundService,
    PayoutService,
    LedgerService,
    LedgerReportService,
    ReconciliationService,
    StripeGateway,
    PaymentFaults,
  ],
})
export class PaymentsModule {}

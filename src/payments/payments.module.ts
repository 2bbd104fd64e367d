import { Module } from '@nestjs/common';
import { AdminLedgerController } from './admin-ledger.controller';
import { ChargebackService } from './chargeback.service';
import { CollaboratingServices } from './collaborating-services';
import { EscrowController } from './escrow.controller';
import { EscrowReleaseService } from './escrow-release.service';
import { EscrowService } from './escrow.service';
import { FundingService } from './funding.service';
import { LedgerReportService } from './ledger-report.service';
import { LedgerService } from './ledger.service';
import { PaymentFaults } from './payment-faults';
import { PayoutAccountSyncService } from './payout-account-sync.service';
import { PayoutService } from './payout.service';
import { ReconciliationService } from './reconciliation.service';
import { RefundService } from './refund.service';
import { StripeWebhookController } from './stripe-webhook.controller';
import { StripeWebhookService } from './stripe-webhook.service';
import { stripeClientProvider } from './stripe/stripe.client';
import { StripeGateway } from './stripe/stripe.gateway';
import { StripeWebhookVerifier } from './stripe/stripe-webhook.verifier';

/**
 * Escrow payments on Stripe: the escrow and its PaymentIntent, the webhook receiver, the ledger,
 * release/payout, refunds, reconciliation. Bids (accept), requests (cancel, payment window) and the
 * reviews/disputes feature use the exported services inside their own transactions.
 */
@Module({
  controllers: [EscrowController, StripeWebhookController, AdminLedgerController],
  providers: [
    stripeClientProvider,
    StripeGateway,
    StripeWebhookVerifier,
    PaymentFaults,
    CollaboratingServices,
    LedgerService,
    LedgerReportService,
    RefundService,
    PayoutService,
    EscrowReleaseService,
    FundingService,
    EscrowService,
    ChargebackService,
    PayoutAccountSyncService,
    StripeWebhookService,
    ReconciliationService,
  ],
  exports: [EscrowService, EscrowReleaseService, RefundService, PayoutService, LedgerService, LedgerReportService, ReconciliationService, StripeGateway, PaymentFaults],
})
export class PaymentsModule {}

import { Module } from '@nestjs/common';
import { PaymentsModule } from '../payments/payments.module';
import { PartnerPayoutAccountController } from './partner-payout-account.controller';
import { PayoutAccountsController } from './payout-accounts.controller';
import { PayoutAccountsService } from './payout-accounts.service';

/** Experts' and partners' Stripe Connect payout accounts: the routes (payments keeps the rows in step with Stripe). */
@Module({
  imports: [PaymentsModule],
  controllers: [PayoutAccountsController, PartnerPayoutAccountController],
  providers: [PayoutAccountsService],
})
export class PayoutsModule {}

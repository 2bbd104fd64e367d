import { Module } from '@nestjs/common';
import { PaymentsModule } from '../payments/payments.module';
import { PayoutAccountsController } from './payout-accounts.controller';
import { PayoutAccountsService } from './payout-accounts.service';

/** Experts' Stripe Connect payout accounts: the routes (payments keeps the row in step with Stripe). */
@Module({
  imports: [PaymentsModule],
  controllers: [PayoutAccountsController],
  providers: [PayoutAccountsService],
})
export class PayoutsModule {}

import { Module } from '@nestjs/common';
import { PaymentsModule } from '../payments/payments.module';
import { PayoutAccountsController } from './payout-accounts.controller';
import { PayoutAccountsService } from './payout-accounts.service';

/**
 * Experts' Stripe Connect payout accounts. Payments' account.updated hook looks
 * PayoutAccountsService up at call time (this module imports payments, not the other way).
 */
@Module({
  imports: [PaymentsModule],
  controllers: [PayoutAccountsController],
  providers: [PayoutAccountsService],
  exports: [PayoutAccountsService],
})
export class PayoutsModule {}

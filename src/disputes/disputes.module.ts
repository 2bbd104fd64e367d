import { Module } from '@nestjs/common';
import { PaymentsModule } from '../payments/payments.module';
import { RequestsModule } from '../requests/requests.module';
import { AdminDisputesController } from './admin-disputes.controller';
import { DisputeOpeningService } from './dispute-opening.service';
import { DisputeResolutionService } from './dispute-resolution.service';
import { DisputesController } from './disputes.controller';
import { DisputesService } from './disputes.service';
import { HoldLimitService } from './hold-limit.service';

/**
 * Disputes: the customer's, the hold-limit timer's and a chargeback's (payments looks
 * DisputeOpeningService and HoldLimitService up at call time: it cannot import this module,
 * which builds on it), and the admins' queue and settlement.
 */
@Module({
  imports: [PaymentsModule, RequestsModule],
  controllers: [DisputesController, AdminDisputesController],
  providers: [DisputeOpeningService, HoldLimitService, DisputesService, DisputeResolutionService],
  exports: [DisputeOpeningService, HoldLimitService],
})
export class DisputesModule {}

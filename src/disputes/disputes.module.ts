import { Module } from '@nestjs/common';
import { PaymentsModule } from '../payments/payments.module';
import { RequestLifecycleModule } from '../requests/request-lifecycle.module';
import { RequestsModule } from '../requests/requests.module';
import { AdminDisputesController } from './admin-disputes.controller';
import { DisputeOpeningModule } from './dispute-opening.module';
import { DisputeResolutionService } from './dispute-resolution.service';
import { DisputesController } from './disputes.controller';
import { DisputesService } from './disputes.service';
import { HoldLimitService } from './hold-limit.service';

/**
 * Disputes: the customer's, the hold-limit timer's, and the admins' queue and settlement. Filing
 * one is DisputeOpeningModule's, a floor below payments (which files chargebacks); settling one
 * moves money, so this module sits above payments.
 */
@Module({
  imports: [PaymentsModule, RequestsModule, RequestLifecycleModule, DisputeOpeningModule],
  controllers: [DisputesController, AdminDisputesController],
  providers: [HoldLimitService, DisputesService, DisputeResolutionService],
})
export class DisputesModule {}

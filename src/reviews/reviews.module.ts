import { Module } from '@nestjs/common';
import { DisputesModule } from '../disputes/disputes.module';
import { PaymentsModule } from '../payments/payments.module';
import { RequestsModule } from '../requests/requests.module';
import { AutoReleaseService } from './auto-release.service';
import { ResolutionService } from './resolution.service';
import { ReviewsController } from './reviews.controller';
import { ReviewsService } from './reviews.service';

/** Resolution by the expert, the owner's review, and the auto-release timer. */
@Module({
  imports: [PaymentsModule, RequestsModule, DisputesModule],
  controllers: [ReviewsController],
  providers: [ResolutionService, ReviewsService, AutoReleaseService],
  exports: [AutoReleaseService],
})
export class ReviewsModule {}

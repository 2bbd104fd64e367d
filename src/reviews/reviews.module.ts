import { Module } from '@nestjs/common';
import { DisputeOpeningModule } from '../disputes/dispute-opening.module';
import { PaymentsModule } from '../payments/payments.module';
import { RequestLifecycleModule } from '../requests/request-lifecycle.module';
import { RequestsModule } from '../requests/requests.module';
import { SolutionsModule } from '../solutions/solutions.module';
import { AutoReleaseService } from './auto-release.service';
import { ResolutionService } from './resolution.service';
import { ReviewsController } from './reviews.controller';
import { ReviewsService } from './reviews.service';
import { WarrantyService } from './warranty.service';

/** Resolution by the expert, the owner's review, and what the auto-release timer does. */
@Module({
  imports: [PaymentsModule, RequestsModule, RequestLifecycleModule, DisputeOpeningModule, SolutionsModule],
  controllers: [ReviewsController],
  providers: [ResolutionService, ReviewsService, AutoReleaseService, WarrantyService],
})
export class ReviewsModule {}

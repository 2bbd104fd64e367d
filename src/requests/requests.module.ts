import { Module } from '@nestjs/common';
import { CategoriesModule } from '../categories/categories.module';
import { MatchingModule } from '../matching/matching.module';
import { PaymentsModule } from '../payments/payments.module';
import { RequestLifecycleModule } from './request-lifecycle.module';
import { RequestQueriesService } from './request-queries.service';
import { RequestsController } from './requests.controller';
import { RequestsService } from './requests.service';

/** Help requests' routes: posting, reading with visibility, editing, cancelling. */
@Module({
  imports: [CategoriesModule, MatchingModule, PaymentsModule, RequestLifecycleModule],
  controllers: [RequestsController],
  providers: [RequestsService, RequestQueriesService],
  exports: [RequestQueriesService],
})
export class RequestsModule {}

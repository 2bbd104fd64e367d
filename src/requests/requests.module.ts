import { Module } from '@nestjs/common';
import { CategoriesModule } from '../categories/categories.module';
import { MatchingModule } from '../matching/matching.module';
import { PaymentsModule } from '../payments/payments.module';
import { RequestQueriesService } from './request-queries.service';
import { RequestTimersService } from './request-timers.service';
import { RequestsController } from './requests.controller';
import { RequestsService } from './requests.service';

/** Help requests: posting, reading with visibility, editing, cancelling, and their timers. */
@Module({
  imports: [CategoriesModule, MatchingModule, PaymentsModule],
  controllers: [RequestsController],
  providers: [RequestsService, RequestQueriesService, RequestTimersService],
  exports: [RequestTimersService, RequestQueriesService],
})
export class RequestsModule {}

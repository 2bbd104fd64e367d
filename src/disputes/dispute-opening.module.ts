import { Module } from '@nestjs/common';
import { RequestLifecycleModule } from '../requests/request-lifecycle.module';
import { DisputeOpeningService } from './dispute-opening.service';

/**
 * Filing a dispute, one floor below payments: payments opens disputes (a chargeback, a refund made
 * outside Fixbid) and the disputes feature settles them with payments' help, so the shared piece
 * lives here and both import it.
 */
@Module({
  imports: [RequestLifecycleModule],
  providers: [DisputeOpeningService],
  exports: [DisputeOpeningService],
})
export class DisputeOpeningModule {}

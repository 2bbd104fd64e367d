import { Module } from '@nestjs/common';
import { PaymentsModule } from '../payments/payments.module';
import { RequestsModule } from '../requests/requests.module';
import { BidAcceptanceService } from './bid-acceptance.service';
import { BidListingService } from './bid-listing.service';
import { BidsController } from './bids.controller';
import { BidsService } from './bids.service';
import { MyBidsController } from './my-bids.controller';
import { RequestBidsController } from './request-bids.controller';

/** Bids: place, edit, withdraw, list, accept. RequestsModule provides the request timers accept schedules, PaymentsModule the escrow. */
@Module({
  imports: [RequestsModule, PaymentsModule],
  controllers: [RequestBidsController, BidsController, MyBidsController],
  providers: [BidsService, BidAcceptanceService, BidListingService],
})
export class BidsModule {}

import { Module } from '@nestjs/common';
import { PaymentsModule } from '../payments/payments.module';
import { RequestLifecycleModule } from '../requests/request-lifecycle.module';
import { BidAcceptanceService } from './bid-acceptance.service';
import { BidListingService } from './bid-listing.service';
import { BidsController } from './bids.controller';
import { BidsService } from './bids.service';
import { MyBidsController } from './my-bids.controller';
import { RequestBidsController } from './request-bids.controller';

/** Bids: place, edit, withdraw, list, accept. The request lifecycle moves the request (and the bids with it), payments makes the escrow. */
@Module({
  imports: [RequestLifecycleModule, PaymentsModule],
  controllers: [RequestBidsController, BidsController, MyBidsController],
  providers: [BidsService, BidAcceptanceService, BidListingService],
})
export class BidsModule {}

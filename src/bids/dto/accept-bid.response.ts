import { ApiProperty } from '@nestjs/swagger';
import type { RequestTimerSettings } from '../../requests/domain/request-state';
import { EscrowResponse } from '../../payments/dto/escrow.response';
import { RequestResponse } from '../../requests/dto/request.response';
import type { AcceptedBid } from '../bid-acceptance.service';
import { BidResponse } from './bid.response';

/** `POST /v1/bids/:id/accept`. */
export class AcceptBidResponse {
  @ApiProperty({ type: RequestResponse, description: 'The request, now `awaiting_payment` with `acceptedBidId` set.' })
  request!: RequestResponse;

  @ApiProperty({ type: BidResponse, description: 'The bid, now `accepted`. The other bids stay active until the escrow is funded.' })
  bid!: BidResponse;

  @ApiProperty({
    type: EscrowResponse,
    description: 'The escrow (`status: requires_payment` with its `clientSecret`) that the customer funds, created in the same transaction as the accept.',
  })
  escrow!: EscrowResponse;

  static from(accepted: AcceptedBid, settings: RequestTimerSettings): AcceptBidResponse {
    return { request: RequestResponse.from(accepted.request, settings), bid: BidResponse.from(accepted.bid), escrow: EscrowResponse.from(accepted.escrow, 'owner') };
  }
}

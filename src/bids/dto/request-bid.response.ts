import { ApiProperty } from '@nestjs/swagger';
import { RatingResponse, ReputationResponse } from '../../experts/dto/expert-profile.response';
import { Bid } from '../bid.entity';
import type { BidderProfile } from '../bid-ranking';
import { BidResponse } from './bid.response';

/** Who placed a bid, as the request's owner sees it: public facts only, never an email (API3). */
export class BidderResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ type: RatingResponse, description: 'Zeros until the expert has a profile and reviews.' }) rating!: RatingResponse;
  @ApiProperty({ type: ReputationResponse, description: 'Score 0 and tier `new` without a profile.' }) reputation!: ReputationResponse;
}

/** A bid in `GET /v1/requests/:id/bids`: the bid, its expert, and its recommended score. */
export class RequestBidResponse extends BidResponse {
  @ApiProperty({ type: BidderResponse }) expert!: BidderResponse;

  @ApiProperty({
    minimum: 0,
    maximum: 1,
    example: 0.7312,
    description: 'The `sort=recommended` score (README "How bids are recommended"), whatever the sort.',
  })
  recommendedScore!: number;

  static fromRanked(bid: Bid, bidder: BidderProfile, recommendedScore: number): RequestBidResponse {
    return {
      ...BidResponse.from(bid),
      expert: {
        id: bid.expertId,
        displayName: bidder.displayName,
        rating: { average: bidder.rating.average ?? 0, count: bidder.rating.count },
        reputation: { score: bidder.reputationScore, tier: bidder.tier },
      },
      recommendedScore,
    };
  }
}

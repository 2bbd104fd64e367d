import { ApiProperty } from '@nestjs/swagger';
import { RatingResponse, SkillReputationResponse } from '../../experts/dto/expert-profile.response';
import type { ReputationTier } from '../../experts/domain/reputation';
import { Bid } from '../bid.entity';
import type { BidderProfile } from '../bid-ranking';
import { BidResponse } from './bid.response';

/** A bidder's reputation as the owner sees it beside the bid: overall, and in the request's category. */
export class BidderReputationResponse {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100, example: 72, description: 'The overall score (0 without a profile).' }) score!: number;
  @ApiProperty({ enum: ['new', 'rising', 'trusted', 'top'] }) tier!: ReputationTier;
  @ApiProperty({ type: SkillReputationResponse, description: "The score in the request's category: what sort=recommended and sort=reputation weigh." })
  skill!: SkillReputationResponse;
}

/** Who placed a bid, as the request's owner sees it: public facts only, never an email (API3). */
export class BidderResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ type: RatingResponse, description: 'Zeros until the expert has a profile and reviews.' }) rating!: RatingResponse;
  @ApiProperty({ type: BidderReputationResponse, description: 'Score 0 and tier `new` without a profile.' }) reputation!: BidderReputationResponse;
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
        reputation: { score: bidder.reputationScore, tier: bidder.tier, skill: { ...bidder.skill } },
      },
      recommendedScore,
    };
  }
}

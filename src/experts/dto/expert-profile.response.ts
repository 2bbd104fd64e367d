import { ApiProperty } from '@nestjs/swagger';
import { reputationTier, ReputationTier } from '../../matching/domain/match-score';
import { User } from '../../users/user.entity';
import { ExpertProfile } from '../expert-profile.entity';

export class RatingResponse {
  @ApiProperty({ example: 4.67, description: 'Mean of the 1..5 star ratings, two decimals; 0 while count is 0.' })
  average!: number;

  @ApiProperty({ example: 12 })
  count!: number;
}

export class ReputationResponse {
  @ApiProperty({ minimum: 0, maximum: 100, example: 72 })
  score!: number;

  @ApiProperty({ enum: ['new', 'rising', 'trusted', 'top'] })
  tier!: ReputationTier;
}

/** An expert as any signed-in caller sees them. Never an email or a payout detail (API3). */
export class ExpertProfileResponse {
  @ApiProperty({ format: 'uuid', description: "The expert's user id." }) id!: string;
  @ApiProperty({ example: 'Ada' }) displayName!: string;
  @ApiProperty() headline!: string;
  @ApiProperty() bio!: string;
  @ApiProperty({ type: [String], example: ['windows', 'networking'] }) skills!: string[];
  @ApiProperty({ type: [String], example: ['en'] }) languages!: string[];
  @ApiProperty() available!: boolean;
  @ApiProperty({ type: RatingResponse }) rating!: RatingResponse;
  @ApiProperty({ type: ReputationResponse }) reputation!: ReputationResponse;
  @ApiProperty({ type: 'integer', example: 0 }) completedJobs!: number;
  @ApiProperty({ format: 'date-time', description: 'When the expert joined Fixbid.' }) memberSince!: string;

  static from(profile: ExpertProfile, user: User): ExpertProfileResponse {
    const average = profile.ratingCount > 0 ? Math.round((profile.ratingSum / profile.ratingCount) * 100) / 100 : 0;
    return {
      id: profile.userId,
      displayName: user.displayName,
      headline: profile.headline,
      bio: profile.bio,
      skills: profile.skills,
      languages: profile.languages,
      available: profile.available,
      rating: { average, count: profile.ratingCount },
      reputation: { score: profile.reputationScore, tier: reputationTier(profile.reputationScore, profile.completedJobs) },
      completedJobs: profile.completedJobs,
      memberSince: user.createdAt.toISOString(),
    };
  }
}

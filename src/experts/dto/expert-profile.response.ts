import { ApiProperty } from '@nestjs/swagger';
import { EMPTY_TALLY, reputationFactors, ReputationTier, reputationTier, skillReputationScore } from '../domain/reputation';
import { User } from '../../users/user.entity';
import { ExpertProfile } from '../expert-profile.entity';
import { ExpertSkillReputation } from '../expert-skill-reputation.entity';
import { tallyOf } from '../reputation-tally.columns';

export class RatingResponse {
  @ApiProperty({ example: 4.67, description: 'Mean of the 1..5 star ratings, two decimals; 0 while count is 0.' })
  average!: number;

  @ApiProperty({ example: 12 })
  count!: number;
}

/** What the score is made of (README "How reputation scores"). */
export class ReputationFactorsResponse {
  @ApiProperty({ example: 4.71, description: 'Recency-weighted mean of the ratings that count (one per customer per 30 days), two decimals; 0 while there is none.' })
  ratingAverage!: number;

  @ApiProperty({ type: 'integer', example: 17, description: 'The ratings that count (one per customer per 30 days).' })
  ratingCount!: number;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.9, description: "Share of finished jobs resolved within the accepted bid's etaMinutes of funding, recency-weighted; 0 before the first." })
  onTimeRate!: number;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.95, description: 'Share of finished jobs the expert was paid for (not refunded), recency-weighted.' })
  completionRate!: number;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.02, description: "Share of the finished jobs' price refunded after a customer dispute the expert lost, recency-weighted." })
  disputeLossRate!: number;

  @ApiProperty({ type: 'integer', example: 12, description: "Helpful votes on the expert's published solutions from accounts that have paid for a job." })
  helpfulVotes!: number;
}

export class SkillReputationResponse {
  @ApiProperty({ example: 'networking', description: 'A category slug.' })
  skill!: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100, example: 81, description: "From the jobs in this category, pulled toward the overall score capped at 50." })
  score!: number;

  @ApiProperty({ type: 'integer', example: 9, description: 'Finished jobs in this category.' })
  jobs!: number;
}

export class ReputationResponse {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100, example: 72 })
  score!: number;

  @ApiProperty({ enum: ['new', 'rising', 'trusted', 'top'] })
  tier!: ReputationTier;

  @ApiProperty({ type: ReputationFactorsResponse })
  factors!: ReputationFactorsResponse;

  @ApiProperty({ type: [SkillReputationResponse], description: "One entry per listed skill, in the profile's order." })
  bySkill!: SkillReputationResponse[];
}

/** A skill's score: its row, or (a skill listed before its row was made) what an empty record scores. */
export function skillReputationOf(skill: string, overallScore: number, row: ExpertSkillReputation | undefined): SkillReputationResponse {
  return row ? { skill, score: row.score, jobs: row.repJobs } : { skill, score: skillReputationScore(EMPTY_TALLY, overallScore), jobs: 0 };
}

/** An expert as anyone sees them, signed in or not. Never an email or a payout detail (API3). */
export class ExpertProfileResponse {
  @ApiProperty({ format: 'uuid', description: "The expert's user id." }) id!: string;
  @ApiProperty({ example: 'Ada' }) displayName!: string;
  @ApiProperty() headline!: string;
  @ApiProperty() bio!: string;
  @ApiProperty({ type: [String], example: ['windows', 'networking'] }) skills!: string[];
  @ApiProperty({ type: [String], example: ['en'] }) languages!: string[];
  @ApiProperty() available!: boolean;
  @ApiProperty({ type: RatingResponse, description: 'Every rating the expert received, as given.' }) rating!: RatingResponse;
  @ApiProperty({ type: ReputationResponse }) reputation!: ReputationResponse;
  @ApiProperty({ type: 'integer', example: 0 }) completedJobs!: number;
  @ApiProperty({ format: 'date-time', description: 'When the expert joined Fixbid.' }) memberSince!: string;

  static from(profile: ExpertProfile, user: User, skillRows: readonly ExpertSkillReputation[]): ExpertProfileResponse {
    const average = profile.ratingCount > 0 ? Math.round((profile.ratingSum / profile.ratingCount) * 100) / 100 : 0;
    const rows = new Map(skillRows.map((r) => [r.skill, r]));
    return {
      id: profile.userId,
      displayName: user.displayName,
      headline: profile.headline,
      bio: profile.bio,
      skills: profile.skills,
      languages: profile.languages,
      available: profile.available,
      rating: { average, count: profile.ratingCount },
      reputation: {
        score: profile.reputationScore,
        tier: reputationTier(profile.reputationScore, profile.completedJobs),
        factors: reputationFactors(tallyOf(profile)),
        bySkill: profile.skills.map((skill) => skillReputationOf(skill, profile.reputationScore, rows.get(skill))),
      },
      completedJobs: profile.completedJobs,
      memberSince: user.createdAt.toISOString(),
    };
  }
}

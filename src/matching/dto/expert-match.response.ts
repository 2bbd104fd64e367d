import { ApiProperty } from '@nestjs/swagger';
import { ExpertProfileResponse } from '../../experts/dto/expert-profile.response';
import { MatchWithExpert } from '../request-matches.service';

/** One entry of GET /v1/requests/:id/matches. */
export class ExpertMatchResponse {
  @ApiProperty({ type: ExpertProfileResponse }) expert!: ExpertProfileResponse;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.9312, description: 'Scored when the pairing was made (see README "How matching scores").' })
  matchScore!: number;

  @ApiProperty({ type: [String], example: ['Skilled in networking', 'Speaks en', 'Top-rated (reputation 86)'] })
  matchReasons!: string[];

  static from(match: MatchWithExpert): ExpertMatchResponse {
    return { expert: ExpertProfileResponse.from(match.profile, match.expert, match.skillReputation), matchScore: match.score, matchReasons: match.reasons };
  }
}

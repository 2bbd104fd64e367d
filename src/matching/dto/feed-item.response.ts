import { ApiProperty } from '@nestjs/swagger';
import { RequestTimerSettings } from '../../requests/domain/request-state';
import { RequestResponse } from '../../requests/dto/request.response';
import type { FeedRow } from '../expert-feed.service';

/** One entry of GET /v1/experts/me/feed. */
export class FeedItemResponse {
  @ApiProperty({ type: RequestResponse }) request!: RequestResponse;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.9312, description: 'Scored when the pairing was made (see README "How matching scores").' })
  matchScore!: number;

  @ApiProperty({ type: [String], example: ['Skilled in networking', 'Speaks en', 'Available now'] })
  matchReasons!: string[];

  static from(row: FeedRow, settings: RequestTimerSettings): FeedItemResponse {
    return { request: RequestResponse.from(row, settings), matchScore: row.matchScore, matchReasons: row.matchReasons };
  }
}

import { ApiProperty } from '@nestjs/swagger';
import type { RequestTimerSettings } from '../../requests/domain/request-state';
import { RequestResponse } from '../../requests/dto/request.response';
import { HelpRequest } from '../../requests/help-request.entity';
import { Review } from '../review.entity';
import { ReviewResponse } from './review.response';

/** `POST /v1/requests/:id/review`: the review and the request it moved (`completed` or `disputed`). */
export class ReviewOutcomeResponse {
  @ApiProperty({ type: ReviewResponse }) review!: ReviewResponse;
  @ApiProperty({ type: RequestResponse, description: '`completed` (escrow released) or `disputed` (an admin decides).' })
  request!: RequestResponse;

  static from(outcome: { review: Review; request: HelpRequest }, settings: RequestTimerSettings): ReviewOutcomeResponse {
    return { review: ReviewResponse.from(outcome.review), request: RequestResponse.from(outcome.request, settings) };
  }
}

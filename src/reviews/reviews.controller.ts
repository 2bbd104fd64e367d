import { Body, Controller, HttpCode, HttpStatus, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/auth/principal';
import { IdPipe } from '../common/http/id.pipe';
import { CallsStripe } from '../common/rate-limit/stripe-calls.decorator';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ApiErrors } from '../docs/error-response';
import { RequestResponse } from '../requests/dto/request.response';
import { CreateReviewDto } from './dto/create-review.dto';
import { ResolveRequestDto } from './dto/resolve-request.dto';
import { ReviewOutcomeResponse } from './dto/review-outcome.response';
import { ResolutionService } from './resolution.service';
import { ReopenRequestDto } from './dto/reopen-request.dto';
import { ReviewsService } from './reviews.service';
import { WarrantyService } from './warranty.service';

@ApiTags('resolution')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('v1/requests')
export class ReviewsController {
  constructor(
    private readonly resolution: ResolutionService,
    private readonly reviews: ReviewsService,
    private readonly warranty: WarrantyService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post(':id/resolve')
  @Roles('expert')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'The awarded expert marks the request resolved; the review window (reviewDueAt) starts, then auto-release.' })
  @ApiOkResponse({ type: RequestResponse })
  @ApiErrors(400, 403, 404, 409)
  async resolve(@CurrentPrincipal() me: Principal, @Param('id', IdPipe) id: string, @Body() dto: ResolveRequestDto): Promise<RequestResponse> {
    return RequestResponse.from(await this.resolution.resolve(me, id, dto), this.config);
  }

  @Post(':id/reopen')
  @Roles('customer')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "The fix warranty: the owner reopens a completed job within its bid's warrantyDays (once)",
    description:
      'Back to the same expert (`in_progress`, no new payment); the holdback stays held. A new resolve and review settle it; not resolved within REOPEN_RESOLVE_DAYS → a `warranty` dispute. 409 `no_warranty`, `warranty_ended`, `already_reopened`, `request_not_completed`.',
  })
  @ApiOkResponse({ type: RequestResponse })
  @ApiErrors(400, 403, 404, 409)
  async reopen(@CurrentPrincipal() me: Principal, @Param('id', IdPipe) id: string, @Body() dto: ReopenRequestDto): Promise<RequestResponse> {
    return RequestResponse.from(await this.warranty.reopen(me, id, dto), this.config);
  }

  @Post(':id/review')
  @CallsStripe()
  @Roles('customer')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'The owner reviews a resolved request: resolved=true releases the escrow (completed); resolved=false opens a dispute. One review per request.',
  })
  @ApiOkResponse({ type: ReviewOutcomeResponse })
  @ApiErrors(400, 403, 404, 409)
  async review(@CurrentPrincipal() me: Principal, @Param('id', IdPipe) id: string, @Body() dto: CreateReviewDto): Promise<ReviewOutcomeResponse> {
    return ReviewOutcomeResponse.from(await this.reviews.review(me, id, dto), this.config);
  }
}

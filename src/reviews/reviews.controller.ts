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
import { ReviewsService } from './reviews.service';

@ApiTags('resolution')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('v1/requests')
export class ReviewsController {
  constructor(
    private readonly resolution: ResolutionService,
    private readonly reviews: ReviewsService,
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

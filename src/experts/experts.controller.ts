import { Body, Controller, Get, Inject, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/auth/principal';
import { PublicRead } from '../common/rate-limit/public-read.decorator';
import { IdPipe } from '../common/http/id.pipe';
import { Page } from '../common/pagination/keyset';
import { mapPage } from '../common/pagination/paginate';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { PageOf } from '../common/pagination/page.response';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ApiErrors } from '../docs/error-response';
import { FeedItemResponse } from '../matching/dto/feed-item.response';
import { ExpertFeedService } from '../matching/expert-feed.service';
import { ExpertProfileResponse } from './dto/expert-profile.response';
import { ListExpertsQuery } from './dto/list-experts.query';
import { UpsertExpertProfileDto } from './dto/upsert-expert-profile.dto';
import { ExpertsService, ExpertWithUser } from './experts.service';

const profileOf = (p: ExpertWithUser) => ExpertProfileResponse.from(p, p.user, p.skillReputation);

// The `me/...` routes are declared before `:id` so that no router could read "me" as an id.
@ApiTags('experts')
@Controller('v1/experts')
export class ExpertsController {
  constructor(
    private readonly experts: ExpertsService,
    private readonly feeds: ExpertFeedService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Put('me/profile')
  @ApiBearerAuth()
  @Roles('expert')
  @ApiOkResponse({ type: ExpertProfileResponse, description: "The caller's public profile, created or replaced; matches are recomputed." })
  @ApiErrors(400, 401, 403)
  async upsertProfile(@CurrentPrincipal() caller: Principal, @Body() body: UpsertExpertProfileDto): Promise<ExpertProfileResponse> {
    return profileOf(await this.experts.upsertProfile(caller.userId, body));
  }

  @Get('me/feed')
  @ApiBearerAuth()
  @Roles('expert')
  @ApiOkResponse({
    type: PageOf(FeedItemResponse),
    description: 'Open requests matched to the caller, best first, without those the caller has bid on.',
  })
  @ApiErrors(400, 401, 403)
  async feed(@CurrentPrincipal() caller: Principal, @Query() query: PageQueryDto): Promise<Page<FeedItemResponse>> {
    return mapPage(await this.feeds.feed(caller.userId, query), (m) => FeedItemResponse.from(m, this.config));
  }

  @Get()
  @PublicRead()
  @ApiOkResponse({
    type: PageOf(ExpertProfileResponse),
    description: "Public profiles (no token needed), highest reputation (or rating) first; with `skill`, `sort=reputation` ranks by that skill's score.",
  })
  @ApiErrors(400, 401)
  async list(@Query() query: ListExpertsQuery): Promise<Page<ExpertProfileResponse>> {
    return mapPage(await this.experts.list(query), profileOf);
  }

  @Get(':id')
  @PublicRead()
  @ApiOkResponse({ type: ExpertProfileResponse, description: 'A public profile (no token needed); a suspended expert is not found while suspended.' })
  @ApiErrors(401, 404)
  async get(@Param('id', IdPipe) id: string): Promise<ExpertProfileResponse> {
    return profileOf(await this.experts.getPublicProfile(id));
  }
}

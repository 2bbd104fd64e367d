import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../common/auth/principal';
import { IdPipe } from '../common/http/id.pipe';
import { Page } from '../common/pagination/keyset';
import { mapPage } from '../common/pagination/paginate';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { PageOf } from '../common/pagination/page.response';
import { ApiErrors } from '../docs/error-response';
import { ExpertMatchResponse } from './dto/expert-match.response';
import { RequestMatchesService } from './request-matches.service';

@ApiTags('matching')
@ApiBearerAuth()
@Controller('v1/requests/:id/matches')
export class RequestMatchesController {
  constructor(private readonly matches: RequestMatchesService) {}

  @Get()
  @ApiOkResponse({
    type: PageOf(ExpertMatchResponse),
    description: "The experts matched to the caller's request, best first. Another caller's request is 404.",
  })
  @ApiErrors(400, 401, 404)
  async list(
    @CurrentPrincipal() caller: Principal,
    @Param('id', IdPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<ExpertMatchResponse>> {
    return mapPage(await this.matches.matchesForRequest(caller, id, query), ExpertMatchResponse.from);
  }
}

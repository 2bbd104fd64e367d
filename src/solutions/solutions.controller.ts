import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CallerIfAny, CurrentPrincipal, Principal, Roles } from '../common/auth/principal';
import { IdPipe } from '../common/http/id.pipe';
import { NoBodyFieldsPipe } from '../common/http/no-body-fields.pipe';
import { Page } from '../common/pagination/keyset';
import { mapPage } from '../common/pagination/paginate';
import { PageOf } from '../common/pagination/page.response';
import { PublicRead } from '../common/rate-limit/public-read.decorator';
import { ApiErrors } from '../docs/error-response';
import { ListSolutionsQuery, SimilarSolutionsQuery } from './dto/list-solutions.query';
import { HelpfulVoteResponse, SimilarSolutionsResponse, SolutionResponse } from './dto/solution.response';
import { SolutionPublishingService } from './solution-publishing.service';
import { SolutionQueriesService } from './solution-queries.service';
import { SolutionVotesService } from './solution-votes.service';

// `similar` is declared before `:requestId`, so that no router could read it as an id.
@ApiTags('solutions')
@Controller('v1/solutions')
export class SolutionsController {
  constructor(
    private readonly queries: SolutionQueriesService,
    private readonly publishing: SolutionPublishingService,
    private readonly votes: SolutionVotesService,
  ) {}

  @Get()
  @PublicRead()
  @ApiOperation({ summary: 'Published solutions: ranked by relevance with q (a title match above a summary match), newest completed first without.' })
  @ApiOkResponse({ type: PageOf(SolutionResponse) })
  @ApiErrors(400)
  async list(@Query() query: ListSolutionsQuery): Promise<Page<SolutionResponse>> {
    return mapPage(await this.queries.list(query), SolutionResponse.from);
  }

  @Get('similar')
  @PublicRead()
  @ApiOperation({ summary: 'The 5 published solutions closest to a draft request, closest first: an answer before paying.' })
  @ApiOkResponse({ type: SimilarSolutionsResponse })
  @ApiErrors(400)
  async similar(@Query() query: SimilarSolutionsQuery): Promise<SimilarSolutionsResponse> {
    return { data: (await this.queries.similar(query.text)).map(SolutionResponse.from) };
  }

  @Get(':requestId')
  @PublicRead()
  @ApiOperation({ summary: "A published solution; an unpublished one only for the request's customer, its expert and admins (others: 404)." })
  @ApiOkResponse({ type: SolutionResponse })
  @ApiErrors(404)
  async get(@CallerIfAny() caller: Principal | undefined, @Param('requestId', IdPipe) requestId: string): Promise<SolutionResponse> {
    return SolutionResponse.from(await this.queries.get(caller, requestId));
  }

  @Post(':requestId/publish')
  @Roles('customer')
  @ApiBearerAuth()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "The request's customer publishes the expert's solution summary (completed requests; again after unpublishing). Publishing a published one: 200, unchanged.",
  })
  @ApiOkResponse({ type: SolutionResponse })
  @ApiErrors(401, 403, 404, 409, 422)
  async publish(
    @CurrentPrincipal() me: Principal,
    @Param('requestId', IdPipe) requestId: string,
    @Body(NoBodyFieldsPipe) _body: Record<string, never>,
  ): Promise<SolutionResponse> {
    return SolutionResponse.from(await this.publishing.publish(me, requestId));
  }

  @Post(':requestId/unpublish')
  @Roles('customer')
  @ApiBearerAuth()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "The request's customer takes the solution out of the knowledge base: gone from every list, 404 for others." })
  @ApiOkResponse({ type: SolutionResponse })
  @ApiErrors(401, 403, 404)
  async unpublish(
    @CurrentPrincipal() me: Principal,
    @Param('requestId', IdPipe) requestId: string,
    @Body(NoBodyFieldsPipe) _body: Record<string, never>,
  ): Promise<SolutionResponse> {
    return SolutionResponse.from(await this.publishing.unpublish(me, requestId));
  }

  @Post(':requestId/helpful')
  @ApiBearerAuth()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: '"This solved my problem": one vote per signed-in user; not on a solution of one\'s own request (403 own_solution); again → 409 already_voted.' })
  @ApiOkResponse({ type: HelpfulVoteResponse })
  @ApiErrors(401, 403, 404, 409)
  async helpful(
    @CurrentPrincipal() me: Principal,
    @Param('requestId', IdPipe) requestId: string,
    @Body(NoBodyFieldsPipe) _body: Record<string, never>,
  ): Promise<HelpfulVoteResponse> {
    return { helpfulCount: await this.votes.vote(me, requestId) };
  }
}

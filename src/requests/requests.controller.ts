import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/auth/principal';
import { IdPipe } from '../common/http/id.pipe';
import { mapPage } from '../common/pagination/paginate';
import { Page } from '../common/pagination/keyset';
import { PageOf } from '../common/pagination/page.response';
import { CallsStripe } from '../common/rate-limit/stripe-calls.decorator';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ApiErrors } from '../docs/error-response';
import { CreateRequestDto } from './dto/create-request.dto';
import { ListRequestsQuery } from './dto/list-requests.query';
import { RequestResponse } from './dto/request.response';
import { UpdateRequestDto } from './dto/update-request.dto';
import { RequestQueriesService } from './request-queries.service';
import { RequestsService } from './requests.service';

@ApiTags('requests')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('v1/requests')
export class RequestsController {
  constructor(
    private readonly requests: RequestsService,
    private readonly queries: RequestQueriesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @Roles('customer')
  @ApiOperation({ summary: 'Post a help request (customers; at most 20 per hour).' })
  @ApiCreatedResponse({ type: RequestResponse })
  @ApiErrors(400, 403, 429)
  async create(@CurrentPrincipal() me: Principal, @Body() dto: CreateRequestDto): Promise<RequestResponse> {
    return RequestResponse.from(await this.requests.create(me, dto), this.config);
  }

  @Get()
  @ApiOperation({
    summary: 'List requests: a customer their own, an expert open ones, an admin all. With `q`, ranked by full-text relevance.',
  })
  @ApiOkResponse({ type: PageOf(RequestResponse) })
  @ApiErrors(400)
  async list(@CurrentPrincipal() me: Principal, @Query() query: ListRequestsQuery): Promise<Page<RequestResponse>> {
    return mapPage(await this.queries.list(me, query), (r) => RequestResponse.from(r, this.config));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One request: the owner, admins, and experts while it is open or once they have bid on it.' })
  @ApiOkResponse({ type: RequestResponse })
  @ApiErrors(404)
  async get(@CurrentPrincipal() me: Principal, @Param('id', IdPipe) id: string): Promise<RequestResponse> {
    return RequestResponse.from(await this.queries.readVisible(me, id), this.config);
  }

  @Patch(':id')
  @Roles('customer')
  @ApiOperation({ summary: 'Edit an own request while it is open and has no bids; moving biddingClosesAt moves the expiry timer.' })
  @ApiOkResponse({ type: RequestResponse })
  @ApiErrors(400, 403, 404, 409)
  async update(
    @CurrentPrincipal() me: Principal,
    @Param('id', IdPipe) id: string,
    @Body() dto: UpdateRequestDto,
  ): Promise<RequestResponse> {
    return RequestResponse.from(await this.requests.update(me, id, dto), this.config);
  }

  @Post(':id/cancel')
  @CallsStripe()
  @Roles('customer')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Cancel an own request while open or awaiting payment; its live bids are rejected.' })
  @ApiOkResponse({ type: RequestResponse })
  @ApiErrors(403, 404, 409)
  async cancel(@CurrentPrincipal() me: Principal, @Param('id', IdPipe) id: string): Promise<RequestResponse> {
    return RequestResponse.from(await this.requests.cancel(me, id), this.config);
  }
}

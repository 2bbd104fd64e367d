import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/auth/principal';
import { IdPipe } from '../common/http/id.pipe';
import { Page } from '../common/pagination/keyset';
import { PageOf } from '../common/pagination/page.response';
import { mapPage } from '../common/pagination/paginate';
import { ApiErrors } from '../docs/error-response';
import { BidListingService } from './bid-listing.service';
import { BidsService } from './bids.service';
import { BidResponse } from './dto/bid.response';
import { CreateBidDto } from './dto/create-bid.dto';
import { ListRequestBidsQuery } from './dto/list-bids.query';
import { RequestBidResponse } from './dto/request-bid.response';

@ApiTags('bids')
@ApiBearerAuth()
@Controller('v1/requests/:id/bids')
export class RequestBidsController {
  constructor(
    private readonly bids: BidsService,
    private readonly listing: BidListingService,
  ) {}

  @Post()
  @Roles('expert')
  @ApiOperation({
    summary: 'Bid on an open request',
    description:
      'One active bid per expert per request (409 `bid_exists`); 409 `request_not_open` or `bidding_closed`; ' +
      '422 `bid_over_budget`, `currency_mismatch`, `cannot_bid_own_request`; 429 `quota_exceeded` (bids per expert per hour) with Retry-After. ' +
      'A request the expert may not see is 404.',
  })
  @ApiCreatedResponse({ type: BidResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422, 429)
  async create(
    @Param('id', IdPipe) requestId: string,
    @Body() body: CreateBidDto,
    @CurrentPrincipal() expert: Principal,
  ): Promise<BidResponse> {
    return BidResponse.from(await this.bids.placeBid(requestId, expert, body));
  }

  @Get()
  @ApiOperation({
    summary: "A request's bids",
    description:
      'The owner (and admins) see every bid with its expert; an expert sees only their own; anyone else 404. ' +
      '`sort=recommended` (default; see README "How bids are recommended"), `amount` and `eta` lowest first, `reputation` highest first.',
  })
  @ApiOkResponse({ type: PageOf(RequestBidResponse) })
  @ApiErrors(400, 401, 404)
  async list(
    @Param('id', IdPipe) requestId: string,
    @Query() query: ListRequestBidsQuery,
    @CurrentPrincipal() caller: Principal,
  ): Promise<Page<RequestBidResponse>> {
    return mapPage(await this.listing.listForRequest(requestId, caller, query), (r) =>
      RequestBidResponse.fromRanked(r.bid, r.bidder, r.score),
    );
  }
}

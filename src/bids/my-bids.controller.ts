import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/auth/principal';
import { Page } from '../common/pagination/keyset';
import { PageOf } from '../common/pagination/page.response';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { mapPage } from '../common/pagination/paginate';
import { ApiErrors } from '../docs/error-response';
import { BidListingService } from './bid-listing.service';
import { BidResponse } from './dto/bid.response';

@ApiTags('bids')
@ApiBearerAuth()
@Controller('v1/experts/me/bids')
export class MyBidsController {
  constructor(private readonly listing: BidListingService) {}

  @Get()
  @Roles('expert')
  @ApiOperation({ summary: "The caller's bids, newest first" })
  @ApiOkResponse({ type: PageOf(BidResponse) })
  @ApiErrors(400, 401, 403)
  async list(@Query() query: PageQueryDto, @CurrentPrincipal() expert: Principal): Promise<Page<BidResponse>> {
    return mapPage(await this.listing.listMine(expert, query), BidResponse.from);
  }
}

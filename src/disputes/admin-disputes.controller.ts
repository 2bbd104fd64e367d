import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/auth/principal';
import { IdPipe } from '../common/http/id.pipe';
import { Page } from '../common/pagination/keyset';
import { mapPage } from '../common/pagination/paginate';
import { PageOf } from '../common/pagination/page.response';
import { CallsStripe } from '../common/rate-limit/stripe-calls.decorator';
import { ApiErrors } from '../docs/error-response';
import { DisputeResolutionService } from './dispute-resolution.service';
import { DisputesService } from './disputes.service';
import { DisputeResponse } from './dto/dispute.response';
import { ListDisputesQuery } from './dto/list-disputes.query';
import { ResolveDisputeDto } from './dto/resolve-dispute.dto';

@ApiTags('admin')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Roles('admin')
@Controller('v1/admin/disputes')
export class AdminDisputesController {
  constructor(
    private readonly disputes: DisputesService,
    private readonly resolution: DisputeResolutionService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Disputes, oldest first (a work queue); filter by status.' })
  @ApiOkResponse({ type: PageOf(DisputeResponse) })
  @ApiErrors(400)
  async list(@Query() query: ListDisputesQuery): Promise<Page<DisputeResponse>> {
    return mapPage(await this.disputes.list(query), DisputeResponse.from);
  }

  @Post(':id/resolve')
  @CallsStripe()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      'Settle a dispute: release (completed, transfer to the expert), refund (refunded, Stripe Refund) or split ' +
      '(completed, refundAmount back to the customer, the rest less the fee to the expert). A chargeback-frozen escrow cannot be released or split (409 escrow_frozen).',
  })
  @ApiOkResponse({ type: DisputeResponse })
  @ApiErrors(400, 404, 409)
  async resolve(@CurrentPrincipal() me: Principal, @Param('id', IdPipe) id: string, @Body() dto: ResolveDisputeDto): Promise<DisputeResponse> {
    return DisputeResponse.from(await this.resolution.resolve(me, id, dto));
  }
}

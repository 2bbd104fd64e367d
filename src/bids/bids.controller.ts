import { Body, Controller, HttpCode, HttpStatus, Inject, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/auth/principal';
import { IdPipe } from '../common/http/id.pipe';
import { CallsStripe } from '../common/rate-limit/stripe-calls.decorator';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ApiErrors } from '../docs/error-response';
import { BidAcceptanceService } from './bid-acceptance.service';
import { BidsService } from './bids.service';
import { AcceptBidResponse } from './dto/accept-bid.response';
import { BidResponse } from './dto/bid.response';
import { UpdateBidDto } from './dto/update-bid.dto';

@ApiTags('bids')
@ApiBearerAuth()
@Controller('v1/bids')
export class BidsController {
  constructor(
    private readonly bids: BidsService,
    private readonly acceptance: BidAcceptanceService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Patch(':id')
  @Roles('expert')
  @ApiOperation({
    summary: 'Edit your active bid while the request is open',
    description: "Another expert's bid is 404. 409 `bid_not_active`, `request_not_open`, `bidding_closed`; 422 `bid_over_budget`, `currency_mismatch`.",
  })
  @ApiOkResponse({ type: BidResponse })
  @ApiErrors(400, 401, 403, 404, 409, 422)
  async update(@Param('id', IdPipe) id: string, @Body() body: UpdateBidDto, @CurrentPrincipal() expert: Principal): Promise<BidResponse> {
    return BidResponse.from(await this.bids.updateBid(id, expert, body));
  }

  @Post(':id/withdraw')
  @HttpCode(HttpStatus.OK)
  @Roles('expert')
  @ApiOperation({
    summary: 'Withdraw your active bid',
    description: "Another expert's bid is 404. 409 `bid_not_active` or `request_not_open`. The request's bidCount goes down by one.",
  })
  @ApiOkResponse({ type: BidResponse })
  @ApiErrors(401, 403, 404, 409)
  async withdraw(@Param('id', IdPipe) id: string, @CurrentPrincipal() expert: Principal): Promise<BidResponse> {
    return BidResponse.from(await this.bids.withdrawBid(id, expert));
  }

  @Post(':id/accept')
  @CallsStripe()
  @HttpCode(HttpStatus.OK)
  @Roles('customer')
  @ApiOperation({
    summary: 'Accept a bid on your request',
    description:
      'The request goes `awaiting_payment`, the bid `accepted`; the other bids stay active until the escrow is funded. ' +
      'Racing accepts: exactly one wins, the others get 409 `request_not_open`. 409 `bid_not_active`. A bid on another customer\'s request is 404. ' +
      'The escrow is created with the accept; its Stripe PaymentIntent right after. If Stripe cannot be reached (503 `payment_provider_unavailable`) or fails ' +
      '(502 `payment_provider_error`), the accept itself stands (request `awaiting_payment`, escrow `requires_payment` without a PaymentIntent): ' +
      'repeat the same call and it completes the PaymentIntent (same idempotency key at Stripe, never a second one) and answers 200.',
  })
  @ApiOkResponse({ type: AcceptBidResponse })
  @ApiErrors(401, 403, 404, 409, 502, 503)
  async accept(@Param('id', IdPipe) id: string, @CurrentPrincipal() customer: Principal): Promise<AcceptBidResponse> {
    return AcceptBidResponse.from(await this.acceptance.acceptBid(id, customer), this.config);
  }
}

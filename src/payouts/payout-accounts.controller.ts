import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../common/auth/principal';
import { CallsStripe } from '../common/rate-limit/stripe-calls.decorator';
import { ApiErrors } from '../docs/error-response';
import { PayoutAccountResponse, PayoutOnboardingResponse } from '../payments/dto/payout-account.response';
import { NoBodyFieldsPipe } from '../common/http/no-body-fields.pipe';
import { PayoutAccountsService } from './payout-accounts.service';

/**
 * Static path segments: `me/payout-account` never reaches the experts controller's `:id` route
 * (find-my-way matches static segments before parameters; test/payouts checks it).
 */
@ApiTags('experts')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Roles('expert')
@Controller('v1/experts/me/payout-account')
export class PayoutAccountsController {
  constructor(private readonly payouts: PayoutAccountsService) {}

  @Post()
  @CallsStripe()
  @ApiOperation({
    summary: 'Create the caller’s Stripe Connect Express account (once; 201) and return a fresh onboarding link (200 when the account existed).',
  })
  @ApiCreatedResponse({ type: PayoutOnboardingResponse })
  @ApiOkResponse({ type: PayoutOnboardingResponse })
  @ApiErrors(400, 502, 503)
  async start(
    @CurrentPrincipal() me: Principal,
    @Body(NoBodyFieldsPipe) _body: Record<string, never>,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PayoutOnboardingResponse> {
    const onboarding = await this.payouts.startOnboarding({ kind: 'expert', id: me.userId }, `${req.protocol}://${req.host}`);
    reply.status(onboarding.created ? 201 : 200);
    return PayoutOnboardingResponse.from(onboarding.account, onboarding.onboardingUrl);
  }

  @Get()
  @ApiOperation({ summary: 'The caller’s payout account status; 404 payout_account_missing before the first POST.' })
  @ApiOkResponse({ type: PayoutAccountResponse })
  @ApiErrors(404)
  async get(@CurrentPrincipal() me: Principal): Promise<PayoutAccountResponse> {
    return PayoutAccountResponse.from(await this.payouts.get({ kind: 'expert', id: me.userId }));
  }
}

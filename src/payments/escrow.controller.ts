import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../common/auth/principal';
import { IdPipe } from '../common/http/id.pipe';
import { ApiErrors } from '../docs/error-response';
import { EscrowResponse } from './dto/escrow.response';
import { EscrowService } from './escrow.service';

@ApiTags('escrow')
@ApiBearerAuth()
@Controller('v1/requests')
export class EscrowController {
  constructor(private readonly escrows: EscrowService) {}

  @Get(':id/escrow')
  @ApiOperation({
    summary: "The request's escrow",
    description:
      'For the request owner, the awarded expert and admins; anyone else gets 404. `clientSecret` only for the owner and only while `requires_payment`.',
  })
  @ApiOkResponse({ type: EscrowResponse })
  @ApiErrors(401, 404)
  async get(@Param('id', IdPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<EscrowResponse> {
    const { escrow, viewer, payoutReady } = await this.escrows.findForViewer(principal, id);
    return EscrowResponse.from(escrow, viewer, payoutReady);
  }
}

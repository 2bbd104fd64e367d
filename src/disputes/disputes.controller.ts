import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/auth/principal';
import { IdPipe } from '../common/http/id.pipe';
import { ApiErrors } from '../docs/error-response';
import { DisputesService } from './disputes.service';
import { DisputeResponse } from './dto/dispute.response';
import { OpenDisputeDto } from './dto/open-dispute.dto';

@ApiTags('disputes')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('v1/requests')
export class DisputesController {
  constructor(private readonly disputes: DisputesService) {}

  @Post(':id/dispute')
  @Roles('customer')
  @ApiOperation({ summary: 'The owner disputes a request in progress or resolved; an admin decides. At most 10 disputes per day.' })
  @ApiCreatedResponse({ type: DisputeResponse })
  @ApiErrors(400, 403, 404, 409, 429)
  async open(@CurrentPrincipal() me: Principal, @Param('id', IdPipe) id: string, @Body() dto: OpenDisputeDto): Promise<DisputeResponse> {
    return DisputeResponse.from(await this.disputes.openByCustomer(me, id, dto));
  }
}

import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth/principal';
import { IdPipe } from '../common/http/id.pipe';
import { ApiErrors } from '../docs/error-response';
import { ModerateSolutionDto } from './dto/moderate-solution.dto';
import { SolutionResponse } from './dto/solution.response';
import { SolutionPublishingService } from './solution-publishing.service';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/admin/solutions')
export class AdminSolutionsController {
  constructor(private readonly publishing: SolutionPublishingService) {}

  @Post(':requestId/unpublish')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Moderation: an admin takes a solution down with a reason; the customer cannot publish it again.' })
  @ApiOkResponse({ type: SolutionResponse })
  @ApiErrors(400, 401, 403, 404)
  async unpublish(@Param('requestId', IdPipe) requestId: string, @Body() dto: ModerateSolutionDto): Promise<SolutionResponse> {
    return SolutionResponse.from(await this.publishing.takeDown(requestId, dto.reason));
  }
}

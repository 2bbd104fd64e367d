import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../common/auth/principal';
import { ApiErrors } from '../docs/error-response';
import { LivenessResponse, ReadinessResponse } from './dto/health.response';
import { HealthService } from './health.service';

/** Probes for orchestrators and load balancers: no auth, no rate limit, never cached. */
@ApiTags('operations')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness: 200 while the process serves HTTP; touches nothing else.' })
  @ApiOkResponse({ type: LivenessResponse })
  live(): LivenessResponse {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: the database answers and every migration is applied; otherwise 503.' })
  @ApiOkResponse({ type: ReadinessResponse })
  @ApiErrors(503)
  async ready(): Promise<ReadinessResponse> {
    return ReadinessResponse.from(await this.health.checkReadiness());
  }
}

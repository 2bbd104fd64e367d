import { ApiProperty } from '@nestjs/swagger';
import { HealthCheckResult } from '@nestjs/terminus';

export class LivenessResponse {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';
}

export class ReadinessChecks {
  @ApiProperty({ enum: ['up'], example: 'up', description: 'The database answers a ping.' })
  database!: string;

  @ApiProperty({ enum: ['up'], example: 'up', description: 'Every migration of this build is applied.' })
  migrations!: string;
}

export class ReadinessResponse {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';

  @ApiProperty({ type: ReadinessChecks })
  checks!: ReadinessChecks;

  /** Only called with a passing result: a failing check has already become a 503. */
  static from(result: HealthCheckResult): ReadinessResponse {
    return {
      status: 'ok',
      checks: { database: result.details.database.status, migrations: result.details.migrations.status },
    };
  }
}

import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DomainError } from '../common/errors/domain-error';
import { HEALTH_CHECK_TIMEOUT_MS, MigrationsHealthIndicator, PendingMigrationsError } from './migrations.health';

@Injectable()
export class HealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly migrations: MigrationsHealthIndicator,
  ) {}

  /** Ready = the database answers and its schema is this build's; otherwise 503 service_unavailable. */
  async checkReadiness(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database').withTimeout(HEALTH_CHECK_TIMEOUT_MS),
        () => this.migrations.isUpToDate('migrations'),
      ]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      throw new DomainError('service_unavailable', notReadyMessage(err.getResponse() as HealthCheckResult));
    }
  }
}

/**
 * What an anonymous caller learns: which check failed, never the driver's words (terminus logs
 * those). With the database down the migrations check fails too; naming it would only mislead.
 */
function notReadyMessage(result: HealthCheckResult): string {
  if (result.status === 'shutting_down') return 'Not ready: the server is shutting down.';
  const failed = result.error ?? {};
  if (failed.database) return 'Not ready: database unreachable.';
  const migrations = failed.migrations as { message?: string } | undefined;
  if (migrations) {
    const pending = PendingMigrationsError.countIn(migrations.message);
    return pending ? `Not ready: ${pending} migration(s) pending.` : 'Not ready: migrations could not be read.';
  }
  return `Not ready: ${Object.keys(failed).join(', ') || 'a check failed'}.`;
}

import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource, MigrationExecutor } from 'typeorm';

export const HEALTH_CHECK_TIMEOUT_MS = 1000;

/**
 * Up when every migration this build ships has been applied. Read-only on purpose: unlike
 * `dataSource.showMigrations()` it never creates the migrations table from a probe.
 */
@Injectable()
export class MigrationsHealthIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthIndicatorService,
  ) {}

  isUpToDate(key: string) {
    return this.health
      .check(key)
      .attempt(async () => {
        const pending = await new MigrationExecutor(this.dataSource).getPendingMigrations();
        if (pending.length > 0) throw new PendingMigrationsError(pending.map((m) => m.name));
        return { pending: 0 };
      })
      .withTimeout(HEALTH_CHECK_TIMEOUT_MS);
  }
}

/** Its message is all terminus keeps of it: names for the log, a count that countIn() reads back. */
export class PendingMigrationsError extends Error {
  constructor(readonly names: string[]) {
    super(`${names.length} pending: ${names.join(', ')}`);
  }

  static countIn(message: string | undefined): number | undefined {
    const count = /^(\d+) pending: /.exec(message ?? '')?.[1];
    return count === undefined ? undefined : Number(count);
  }
}

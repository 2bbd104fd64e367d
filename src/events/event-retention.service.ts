import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { JobsService } from '../jobs/jobs.service';

export const EVENT_RETENTION_JOB = 'events.retention';
const EVERY_SECONDS = 3600;

/**
 * Events and their webhook deliveries are kept EVENT_RETENTION_DAYS (30 by default), then deleted
 * by an hourly job (once across processes). A delivery still pending past that fails with
 * `event_expired`: its 3-day retry window closed long before.
 */
@Injectable()
export class EventRetentionService implements OnModuleInit {
  private readonly logger = new Logger(EventRetentionService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    this.jobs.register(EVENT_RETENTION_JOB, async () => void (await this.prune()));
    this.jobs.registerRecurring(EVENT_RETENTION_JOB, EVERY_SECONDS);
  }

  /** Deletes what is older than the retention; returns how many events went. */
  async prune(): Promise<number> {
    const days = this.config.eventRetentionDays;
    await this.ds.query(`DELETE FROM webhook_deliveries WHERE created_at < now() - make_interval(days => $1)`, [days]);
    const [, deleted] = (await this.ds.query(`DELETE FROM events WHERE created_at < now() - make_interval(days => $1)`, [days])) as [unknown, number];
    if (deleted) this.logger.log({ deleted, days }, 'old events deleted');
    return deleted;
  }
}

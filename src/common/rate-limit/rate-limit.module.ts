import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { PostgresThrottlerStorage } from './postgres-throttler.storage';
import { throttlersFor } from './throttlers';

/** Throttler options and the shared PostgreSQL storage; AppModule registers RateLimitGuard as APP_GUARD. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, DataSource],
      useFactory: (config: AppConfig, ds: DataSource) => ({
        throttlers: throttlersFor(config),
        storage: new PostgresThrottlerStorage(ds),
      }),
    }),
  ],
})
export class RateLimitModule {}

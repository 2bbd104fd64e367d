import { BeforeApplicationShutdown, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { HybridThrottlerStorage } from './hybrid-throttler.storage';
import { PostgresThrottlerStorage } from './postgres-throttler.storage';
import { throttlersFor } from './throttlers';

/** The counters' storage, with a lifecycle: its last flush runs before the database closes. */
@Module({
  providers: [{ provide: HybridThrottlerStorage, inject: [DataSource], useFactory: (ds: DataSource) => new HybridThrottlerStorage(new PostgresThrottlerStorage(ds)) }],
  exports: [HybridThrottlerStorage],
})
export class RateLimitStorageModule implements BeforeApplicationShutdown {
  constructor(private readonly storage: HybridThrottlerStorage) {}

  beforeApplicationShutdown(): Promise<void> {
    return this.storage.close();
  }
}

/** Throttler options and the shared storage (PostgreSQL, counted in memory between flushes); AppModule registers RateLimitGuard as APP_GUARD. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [APP_CONFIG, HybridThrottlerStorage],
      useFactory: (config: AppConfig, storage: HybridThrottlerStorage) => ({ throttlers: throttlersFor(config), storage }),
    }),
  ],
})
export class RateLimitModule {}

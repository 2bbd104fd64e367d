import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from './config/app-config';
import { APP_CONFIG, AppConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source-options';
import { pinoOptions } from './common/http/logging';
import { CategoriesModule } from './categories/categories.module';
import { HealthModule } from './health/health.module';
import { IdempotencyModule } from './common/idempotency/idempotency.module';
import { IdempotencyInterceptor } from './common/idempotency/idempotency.interceptor';
import { PaginationModule } from './common/pagination/pagination.module';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { RateLimitGuard } from './common/rate-limit/rate-limit.guard';
import { JobsModule } from './jobs/jobs.module';
import { EventsModule } from './events/events.module';
import { AuthModule } from './auth/auth.module';
import { AccessTokenGuard } from './auth/access-token.guard';
import { RolesGuard } from './auth/roles.guard';
import { UsersModule } from './users/users.module';
import { AdminUsersModule } from './admin/admin-users.module';
import { BidsModule } from './bids/bids.module';
import { RequestsModule } from './requests/requests.module';
import { MessagesModule } from './messages/messages.module';
import { ExpertsModule } from './experts/experts.module';
import { MatchingModule } from './matching/matching.module';
import { ReviewsModule } from './reviews/reviews.module';
import { SolutionsModule } from './solutions/solutions.module';
import { DisputesModule } from './disputes/disputes.module';
import { PayoutsModule } from './payouts/payouts.module';
import { PaymentsModule } from './payments/payments.module';
import { PartnersModule } from './partners/partners.module';
import { NotificationsModule } from './database/notifications.module';
import { PrincipalCacheModule } from './auth/principal-cache';
import { WebhooksModule } from './webhooks/webhooks.module';
import { WebhookNetwork } from './webhooks/webhook-network';

@Module({})
export class AppModule {
  /** `options.webhookNetwork` replaces DNS and sockets for webhooks (tests). */
  static forRoot(config: AppConfig, options: { webhookNetwork?: WebhookNetwork } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot(pinoOptions(config)),
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (cfg: AppConfig) => ({
            ...dataSourceOptions(cfg.databaseUrl, cfg.databasePoolSize),
            migrationsRun: false,
          }),
        }),
        JobsModule,
        NotificationsModule,
        PrincipalCacheModule,
        EventsModule,
        UsersModule,
        AuthModule,
        AdminUsersModule,
        BidsModule,
        RequestsModule,
        MessagesModule,
        ExpertsModule,
        MatchingModule,
        ReviewsModule,
        SolutionsModule,
        DisputesModule,
        PaymentsModule,
        PayoutsModule,
        PartnersModule,
        WebhooksModule.forRoot(options.webhookNetwork),
        CategoriesModule,
        HealthModule,
        IdempotencyModule,
        RateLimitModule,
        PaginationModule,
      ],
      // Global guards run in this order. The auth guard (sets request.principal) must come first;
      // the rate limiter tracks callers by that principal. Guards run before interceptors, so a 401
      // or 429 never reaches the idempotency interceptor and is never stored (I5).
      providers: [
        { provide: APP_GUARD, useClass: AccessTokenGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from './config/app-config';
import { APP_CONFIG, AppConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source-options';
import { pinoOptions } from './common/http/logging';
import { CategoriesModule } from './categories/categories.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
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
        CategoriesModule,
      ],
    };
  }
}

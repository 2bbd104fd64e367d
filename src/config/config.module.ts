import { Global, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { AppConfig, loadAppConfig, validateEnv } from './app-config';

export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * @nestjs/config validates process.env with the one Joi schema; the rest of the app injects the
 * typed AppConfig (APP_CONFIG) instead of reading strings. Tests pass their own AppConfig.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config?: AppConfig) {
    return {
      module: AppConfigModule,
      imports: [
        NestConfigModule.forRoot({ ignoreEnvFile: true, validate: validateEnv }),
      ],
      providers: [{ provide: APP_CONFIG, useFactory: () => config ?? loadAppConfig() }],
      exports: [APP_CONFIG],
    };
  }
}

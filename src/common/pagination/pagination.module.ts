import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { CursorCodec } from './cursor.codec';

/** Makes the one CursorCodec (keyed from the JWT secret) injectable everywhere. */
@Global()
@Module({
  providers: [{ provide: CursorCodec, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new CursorCodec(config.jwtSecret) }],
  exports: [CursorCodec],
})
export class PaginationModule {}

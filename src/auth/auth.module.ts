import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { UsersModule } from '../users/users.module';
import { ACCESS_TOKEN_TTL_SECONDS, AccessTokens, JWT_ALGORITHM } from './access-tokens';
import { AdminAccountsService } from './admin-accounts.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtStrategy } from './jwt.strategy';
import { LoginProtectionService } from './login-protection.service';
import { PasswordHasher } from './password-hasher';
import { RefreshTokensService } from './refresh-tokens.service';

/**
 * Sign-up, login and token refresh. AppModule registers AccessTokenGuard and RolesGuard as
 * APP_GUARDs (in that order); the strategy they use is exported for that.
 */
@Module({
  imports: [
    UsersModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        secret: config.jwtSecret,
        signOptions: { algorithm: JWT_ALGORITHM, expiresIn: ACCESS_TOKEN_TTL_SECONDS },
        verifyOptions: { algorithms: [JWT_ALGORITHM] },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    AccessTokens,
    PasswordHasher,
    RefreshTokensService,
    JwtStrategy,
    AdminAccountsService,
    LoginProtectionService,
  ],
  exports: [AccessTokens, PasswordHasher, RefreshTokensService, JwtStrategy],
})
export class AuthModule {}

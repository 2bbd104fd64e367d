import { Body, Controller, HttpCode, HttpStatus, Ip, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '../common/auth/principal';
import { AuthService } from './auth.service';
import { AuthResponse, LoginResponse } from './dto/auth.response';
import { LoginDto } from './dto/login.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { RegisterDto } from './dto/register.dto';

@ApiTags('auth')
@Public()
@Controller('v1/auth')
@ApiBadRequestResponse({ description: '`missing_field`, `invalid_field` or `unknown_field`, with `param`.' })
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @ApiCreatedResponse({ type: AuthResponse })
  @ApiConflictResponse({ description: '`email_taken`: an account already uses this email (case-insensitive).' })
  @ApiTooManyRequestsResponse({ description: '`rate_limited`: too many sign-ups from this address or for this email; see `Retry-After`.' })
  async register(@Body() body: RegisterDto): Promise<AuthResponse> {
    return AuthResponse.from(await this.auth.register(body));
  }

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: LoginResponse })
  @ApiUnauthorizedResponse({
    description:
      '`invalid_credentials`: one answer, in about the same time, for an unknown email, a wrong password, and an attempt refused after repeated failures (from this address, or — without this account\'s `deviceToken` — from anywhere); or `account_suspended`.',
  })
  @ApiTooManyRequestsResponse({ description: '`rate_limited`: too many logins from this address; see `Retry-After`.' })
  async login(@Body() body: LoginDto, @Ip() address: string): Promise<LoginResponse> {
    return LoginResponse.fromLogin(await this.auth.login(body.email, body.password, { address, deviceToken: body.deviceToken }));
  }

  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: AuthResponse, description: 'A new pair; the presented refresh token is spent.' })
  @ApiUnauthorizedResponse({ description: '`invalid_refresh_token` (unknown, expired, revoked or reused — reuse revokes the whole session) or `account_suspended`.' })
  async refresh(@Body() body: RefreshTokenDto): Promise<AuthResponse> {
    return AuthResponse.from(await this.auth.refresh(body.refreshToken));
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The session of this refresh token is revoked (also when it already was).' })
  async logout(@Body() body: RefreshTokenDto): Promise<void> {
    await this.auth.logout(body.refreshToken);
  }
}

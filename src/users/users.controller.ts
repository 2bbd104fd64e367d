import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../common/auth/principal';
import { UserResponse } from './dto/user.response';
import { UsersService } from './users.service';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('v1/me')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOkResponse({ type: UserResponse, description: 'The calling user.' })
  @ApiUnauthorizedResponse({ description: '`authentication_required`, `invalid_token` or `account_suspended`.' })
  async me(@CurrentPrincipal() principal: Principal): Promise<UserResponse> {
    return UserResponse.from(await this.users.getById(principal.userId));
  }
}

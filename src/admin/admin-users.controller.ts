import { Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/auth/principal';
import { IdPipe } from '../common/http/id.pipe';
import { AdminUserResponse } from './admin-users.response';
import { AdminUsersService } from './admin-users.service';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/admin/users')
@ApiUnauthorizedResponse({ description: '`authentication_required`, `invalid_token` or `account_suspended`.' })
@ApiForbiddenResponse({ description: '`forbidden`: the caller is not an admin.' })
@ApiNotFoundResponse({ description: '`not_found`: no such user.' })
export class AdminUsersController {
  constructor(private readonly adminUsers: AdminUsersService) {}

  @Post(':id/suspend')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: AdminUserResponse, description: 'The user, suspended; their tokens stop working at once.' })
  @ApiUnprocessableEntityResponse({ description: '`cannot_suspend_self`.' })
  async suspend(@Param('id', IdPipe) id: string, @CurrentPrincipal() admin: Principal): Promise<AdminUserResponse> {
    return AdminUserResponse.from(await this.adminUsers.suspend(id, admin.userId));
  }

  @Post(':id/unsuspend')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: AdminUserResponse, description: 'The user, no longer suspended.' })
  async unsuspend(@Param('id', IdPipe) id: string): Promise<AdminUserResponse> {
    return AdminUserResponse.from(await this.adminUsers.unsuspend(id));
  }
}

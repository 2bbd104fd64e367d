import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../common/auth/principal';
import { Page } from '../common/pagination/keyset';
import { mapPage } from '../common/pagination/paginate';
import { PageOf } from '../common/pagination/page.response';
import { ApiErrors } from '../docs/error-response';
import { CreatePartnerUserDto, ListPartnerUsersQuery } from './dto/partner-user.dto';
import { PartnerUserResponse } from './dto/partner-user.response';
import { PartnerUsersService } from './partner-users.service';

@ApiTags('partners')
@ApiSecurity('apiKey')
@ApiErrors(401, 403)
@Roles('partner')
@Controller('v1/partner/users')
export class PartnerUsersController {
  constructor(private readonly users: PartnerUsersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a user the partner acts for (X-On-Behalf-Of). The same externalId again → 200 with the existing user, unchanged.' })
  @ApiCreatedResponse({ type: PartnerUserResponse })
  @ApiOkResponse({ type: PartnerUserResponse, description: 'A user with this externalId existed already.' })
  @ApiErrors(400, 409)
  async create(@CurrentPrincipal() me: Principal, @Body() dto: CreatePartnerUserDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<PartnerUserResponse> {
    const { user, created } = await this.users.create(me.partnerId as string, dto);
    reply.status(created ? 201 : 200);
    return PartnerUserResponse.from(user);
  }

  @Get()
  @ApiOperation({ summary: "The partner's users, newest first; ?externalId= finds one." })
  @ApiOkResponse({ type: PageOf(PartnerUserResponse) })
  @ApiErrors(400)
  async list(@CurrentPrincipal() me: Principal, @Query() query: ListPartnerUsersQuery): Promise<Page<PartnerUserResponse>> {
    return mapPage(await this.users.list(me.partnerId as string, query), PartnerUserResponse.from);
  }
}

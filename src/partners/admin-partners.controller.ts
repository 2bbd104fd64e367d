import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth/principal';
import { IdPipe } from '../common/http/id.pipe';
import { Page } from '../common/pagination/keyset';
import { mapPage } from '../common/pagination/paginate';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { PageOf } from '../common/pagination/page.response';
import { ApiErrors } from '../docs/error-response';
import { CreatePartnerDto, UpdatePartnerDto } from './dto/partner.dto';
import { ApiKeyResponse, CreatedPartnerResponse, IssuedKeyResponse, PartnerResponse } from './dto/partner.response';
import { PartnersService } from './partners.service';

@ApiTags('admin')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Roles('admin')
@Controller('v1/admin/partners')
export class AdminPartnersController {
  constructor(private readonly partners: PartnersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a partner and its first API key (shown once).' })
  @ApiCreatedResponse({ type: CreatedPartnerResponse })
  @ApiErrors(400)
  async create(@Body() dto: CreatePartnerDto): Promise<CreatedPartnerResponse> {
    const { partner, key, apiKey } = await this.partners.create(dto);
    return { partner: PartnerResponse.from(partner, [key]), apiKey };
  }

  @Get()
  @ApiOperation({ summary: 'Partners, newest first, each with its keys (prefix, creation, last use; never a secret).' })
  @ApiOkResponse({ type: PageOf(PartnerResponse) })
  @ApiErrors(400)
  async list(@Query() query: PageQueryDto): Promise<Page<PartnerResponse>> {
    return mapPage(await this.partners.list(query), ({ partner, keys }) => PartnerResponse.from(partner, keys));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a partner or set its revenue share (applies to escrows funded from now on).' })
  @ApiOkResponse({ type: PartnerResponse })
  @ApiErrors(400, 404)
  async update(@Param('id', IdPipe) id: string, @Body() dto: UpdatePartnerDto): Promise<PartnerResponse> {
    const { partner, keys } = await this.partners.update(id, dto);
    return PartnerResponse.from(partner, keys);
  }

  @Post(':id/keys')
  @ApiOperation({ summary: 'Add an API key (for rotation: both keys work until the old one is revoked).' })
  @ApiCreatedResponse({ type: IssuedKeyResponse })
  @ApiErrors(404)
  async addKey(@Param('id', IdPipe) id: string): Promise<IssuedKeyResponse> {
    const { key, apiKey } = await this.partners.addKey(id);
    return { key: ApiKeyResponse.from(key), apiKey };
  }

  @Delete(':id/keys/:keyId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke an API key: refused on every server process within a second.' })
  @ApiNoContentResponse()
  @ApiErrors(404)
  async revokeKey(@Param('id', IdPipe) id: string, @Param('keyId', IdPipe) keyId: string): Promise<void> {
    await this.partners.revokeKey(id, keyId);
  }
}

import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/auth/principal';
import { IdPipe } from '../common/http/id.pipe';
import { Page } from '../common/pagination/keyset';
import { mapPage } from '../common/pagination/paginate';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { PageOf } from '../common/pagination/page.response';
import { ApiErrors } from '../docs/error-response';
import { CreateWebhookEndpointDto, ListDeliveriesQuery, UpdateWebhookEndpointDto } from './dto/webhook-endpoint.dto';
import {
  WebhookDeliveryResponse,
  WebhookEndpointResponse,
  WebhookEndpointWithSecretResponse,
  WebhookSecretResponse,
} from './dto/webhook-endpoint.response';
import { WebhookEndpointsService } from './webhook-endpoints.service';

@ApiTags('webhooks')
@ApiSecurity('apiKey')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Roles('partner', 'admin')
@Controller('v1/webhook-endpoints')
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post()
  @ApiOperation({ summary: 'Create an endpoint (partner or admin); the signing secret is in this answer only. An admin\'s endpoint receives every event.' })
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretResponse })
  @ApiErrors(400)
  async create(@CurrentPrincipal() me: Principal, @Body() dto: CreateWebhookEndpointDto): Promise<WebhookEndpointWithSecretResponse> {
    const { endpoint, secret } = await this.endpoints.create(me, dto);
    return { ...WebhookEndpointResponse.from(endpoint), secret };
  }

  @Get()
  @ApiOperation({ summary: "The caller's endpoints, newest first." })
  @ApiOkResponse({ type: PageOf(WebhookEndpointResponse) })
  @ApiErrors(400)
  async list(@CurrentPrincipal() me: Principal, @Query() query: PageQueryDto): Promise<Page<WebhookEndpointResponse>> {
    return mapPage(await this.endpoints.list(me, query), WebhookEndpointResponse.from);
  }

  @Get(':id')
  @ApiOkResponse({ type: WebhookEndpointResponse })
  @ApiErrors(404)
  async get(@CurrentPrincipal() me: Principal, @Param('id', IdPipe) id: string): Promise<WebhookEndpointResponse> {
    return WebhookEndpointResponse.from(await this.endpoints.get(me, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change url, events or enabled (true re-enables an endpoint disabled after failing for 3 days).' })
  @ApiOkResponse({ type: WebhookEndpointResponse })
  @ApiErrors(400, 404)
  async update(@CurrentPrincipal() me: Principal, @Param('id', IdPipe) id: string, @Body() dto: UpdateWebhookEndpointDto): Promise<WebhookEndpointResponse> {
    return WebhookEndpointResponse.from(await this.endpoints.update(me, id, dto));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  @ApiErrors(404)
  async remove(@CurrentPrincipal() me: Principal, @Param('id', IdPipe) id: string): Promise<void> {
    await this.endpoints.remove(me, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'A new signing secret, shown once; for 24 h both secrets sign (two v1= in Fixbid-Signature).' })
  @ApiOkResponse({ type: WebhookSecretResponse })
  @ApiErrors(404)
  async rotate(@CurrentPrincipal() me: Principal, @Param('id', IdPipe) id: string): Promise<WebhookSecretResponse> {
    const { secret, previousSecretExpiresAt } = await this.endpoints.rotateSecret(me, id);
    return { secret, previousSecretExpiresAt: previousSecretExpiresAt.toISOString() };
  }

  @Post(':id/test')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Send a ping event (requestId null, sequence 0) now; its delivery shows in the deliveries list.' })
  @ApiAcceptedResponse({ type: WebhookDeliveryResponse })
  @ApiErrors(404)
  async test(@CurrentPrincipal() me: Principal, @Param('id', IdPipe) id: string): Promise<WebhookDeliveryResponse> {
    return WebhookDeliveryResponse.from(await this.endpoints.ping(me, id));
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Deliveries to this endpoint, newest first: attempts, last status code, duration, next retry.' })
  @ApiOkResponse({ type: PageOf(WebhookDeliveryResponse) })
  @ApiErrors(400, 404)
  async deliveries(@CurrentPrincipal() me: Principal, @Param('id', IdPipe) id: string, @Query() query: ListDeliveriesQuery): Promise<Page<WebhookDeliveryResponse>> {
    return mapPage(await this.endpoints.deliveries(me, id, query), WebhookDeliveryResponse.from);
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Send a delivery again now (the same event id), even one that failed after 3 days.' })
  @ApiAcceptedResponse({ type: WebhookDeliveryResponse })
  @ApiErrors(404)
  async retry(@CurrentPrincipal() me: Principal, @Param('id', IdPipe) id: string, @Param('deliveryId', IdPipe) deliveryId: string): Promise<WebhookDeliveryResponse> {
    return WebhookDeliveryResponse.from(await this.endpoints.retry(me, id, deliveryId));
  }
}

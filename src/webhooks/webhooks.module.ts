import { DynamicModule, Module } from '@nestjs/common';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WebhookEndpointsController } from './webhook-endpoints.controller';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { systemWebhookNetwork, WEBHOOK_NETWORK, WebhookNetwork } from './webhook-network';

/** Webhooks out: partners' and admins' endpoints, and the dispatcher sending the outbox to them. */
@Module({})
export class WebhooksModule {
  /** `network` replaces DNS and the connect step (tests: no packet may reach a private range). */
  static forRoot(network: WebhookNetwork = systemWebhookNetwork()): DynamicModule {
    return {
      module: WebhooksModule,
      controllers: [WebhookEndpointsController],
      providers: [{ provide: WEBHOOK_NETWORK, useValue: network }, WebhookEndpointsService, WebhookDispatcher],
      exports: [WebhookDispatcher],
    };
  }
}

import { ApiProperty } from '@nestjs/swagger';
import { DELIVERY_STATUSES, WebhookDelivery } from '../webhook-delivery.entity';
import { WebhookEndpoint } from '../webhook-endpoint.entity';

export class WebhookEndpointResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ type: [String] }) events!: string[];
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Why it was disabled (failing for 3 days), or null.' }) disabledReason!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Since when every attempt failed; null while it answers 2xx.' }) failingSince!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(e: WebhookEndpoint): WebhookEndpointResponse {
    return {
      id: e.id,
      url: e.url,
      events: e.events,
      enabled: e.enabled,
      disabledReason: e.disabledReason,
      failingSince: e.failingSince?.toISOString() ?? null,
      createdAt: e.createdAt.toISOString(),
      updatedAt: e.updatedAt.toISOString(),
    };
  }
}

/** An endpoint with its signing secret: only on create and on rotate. */
export class WebhookEndpointWithSecretResponse extends WebhookEndpointResponse {
  @ApiProperty({ example: 'whsec_…', description: 'Shown once: store it to verify Fixbid-Signature.' }) secret!: string;
}

export class WebhookSecretResponse {
  @ApiProperty({ example: 'whsec_…', description: 'Shown once. For 24 h both the old and this secret sign (two v1= in Fixbid-Signature).' }) secret!: string;
  @ApiProperty({ format: 'date-time', description: 'Until when the previous secret still signs.' }) previousSecretExpiresAt!: string;
}

export class WebhookDeliveryResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() eventType!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: string;
  @ApiProperty({ type: 'integer' }) attempts!: number;
  @ApiProperty({ type: 'integer', nullable: true }) lastStatusCode!: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'timeout' }) lastError!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Milliseconds the last attempt took.' }) lastDurationMs!: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAttemptAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The next retry; null once delivered or failed.' }) nextAttemptAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static from(d: WebhookDelivery): WebhookDeliveryResponse {
    return {
      id: d.id,
      eventId: d.eventId,
      eventType: d.eventType,
      status: d.status,
      attempts: d.attempts,
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      lastDurationMs: d.lastDurationMs,
      lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
      nextAttemptAt: d.status === 'pending' ? (d.nextAttemptAt?.toISOString() ?? null) : null,
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      createdAt: d.createdAt.toISOString(),
    };
  }
}

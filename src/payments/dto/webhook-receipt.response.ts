import { ApiProperty } from '@nestjs/swagger';

/** The answer Stripe gets: any 2xx stops its retries. */
export class WebhookReceiptResponse {
  @ApiProperty({ example: true }) received!: true;
  @ApiProperty({ description: 'The event id was applied before; nothing changed.' }) duplicate!: boolean;
  @ApiProperty({ description: 'An event type Fixbid does not act on; nothing changed.' }) ignored!: boolean;
}

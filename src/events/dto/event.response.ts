import { ApiProperty } from '@nestjs/swagger';
import { EVENT_TYPES } from '../event-types';

export class EventData {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The resource as the reader may see it when the event happened.' })
  object!: Record<string, unknown>;
}

/** An event as GET /v1/events lists it and a webhook delivers it (contract §3). */
export class EventResponse {
  @ApiProperty({ format: 'uuid', description: 'The same for every audience and every delivery attempt: dedupe by it.' }) id!: string;
  @ApiProperty({ enum: [...EVENT_TYPES, 'ping'] }) type!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'uuid', type: String, nullable: true, description: 'null only for a ping.' }) requestId!: string | null;
  @ApiProperty({ type: 'integer', description: 'Increases per request (0 for a ping): order what arrives out of order by it.' }) sequence!: number;
  @ApiProperty({ type: EventData }) data!: EventData;
}

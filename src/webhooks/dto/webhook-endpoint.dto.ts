import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { EVENT_TYPES } from '../../events/event-types';
import { MAX_WEBHOOK_URL_LENGTH } from '../domain/address-policy';

/** `*` or any event type a webhook can carry (ping is always sent on demand). */
export const SUBSCRIBABLE = ['*', ...EVENT_TYPES] as const;
const EVENTS_MESSAGE = 'events must be ["*"] or a list of event types.';

export class CreateWebhookEndpointDto {
  @ApiProperty({ example: 'https://partner.example/fixbid/webhooks', maxLength: MAX_WEBHOOK_URL_LENGTH, description: 'https only in production, never a private address.' })
  @MaxLength(MAX_WEBHOOK_URL_LENGTH, { message: `url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters.` })
  @IsString({ message: 'url must be a string.' })
  url!: string;

  @ApiProperty({ type: [String], enum: SUBSCRIBABLE, example: ['*'] })
  @IsIn(SUBSCRIBABLE, { each: true, message: EVENTS_MESSAGE })
  @ArrayMaxSize(SUBSCRIBABLE.length, { message: EVENTS_MESSAGE })
  @ArrayMinSize(1, { message: EVENTS_MESSAGE })
  @IsArray({ message: EVENTS_MESSAGE })
  events!: string[];
}

export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({ maxLength: MAX_WEBHOOK_URL_LENGTH })
  @IsOptional()
  @MaxLength(MAX_WEBHOOK_URL_LENGTH, { message: `url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters.` })
  @IsString({ message: 'url must be a string.' })
  url?: string;

  @ApiPropertyOptional({ type: [String], enum: SUBSCRIBABLE })
  @IsOptional()
  @IsIn(SUBSCRIBABLE, { each: true, message: EVENTS_MESSAGE })
  @ArrayMaxSize(SUBSCRIBABLE.length, { message: EVENTS_MESSAGE })
  @ArrayMinSize(1, { message: EVENTS_MESSAGE })
  @IsArray({ message: EVENTS_MESSAGE })
  events?: string[];

  @ApiPropertyOptional({ description: 'true re-enables an endpoint that was disabled after failing for 3 days.' })
  @IsOptional()
  @IsBoolean({ message: 'enabled must be true or false.' })
  enabled?: boolean;
}

export class ListDeliveriesQuery extends PageQueryDto {}

import { Global, Module } from '@nestjs/common';
import { EventsController } from './events.controller';
import { EventRetentionService } from './event-retention.service';
import { EventsFeedService } from './events-feed.service';
import { EventsService } from './events.service';

/** The outbox (written by every state change) and GET /v1/events (read by each audience). */
@Global()
@Module({ controllers: [EventsController], providers: [EventsService, EventsFeedService, EventRetentionService], exports: [EventsService] })
export class EventsModule {}

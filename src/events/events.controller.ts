import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/auth/principal';
import { Page } from '../common/pagination/keyset';
import { PageOf } from '../common/pagination/page.response';
import { ApiErrors } from '../docs/error-response';
import { EventResponse } from './dto/event.response';
import { ListEventsQuery } from './dto/list-events.query';
import { EventsFeedService } from './events-feed.service';

@ApiTags('events')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@ApiErrors(401)
@Controller('v1/events')
export class EventsController {
  constructor(private readonly feed: EventsFeedService) {}

  @Get()
  @Roles('customer', 'expert', 'admin', 'partner')
  @ApiOperation({
    summary:
      "The caller's events, oldest first after the cursor: a customer's requests, what concerns an expert (never another expert's bid), " +
      "a partner's users' (in each user's view), all for an admin. Kept EVENT_RETENTION_DAYS.",
  })
  @ApiOkResponse({ type: PageOf(EventResponse) })
  @ApiErrors(400)
  list(@CurrentPrincipal() me: Principal, @Query() query: ListEventsQuery): Promise<Page<EventResponse>> {
    return this.feed.list(me, query);
  }
}

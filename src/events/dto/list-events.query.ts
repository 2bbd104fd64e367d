import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { EVENT_TYPES, EventType } from '../event-types';

/** `GET /v1/events?type=&cursor=&limit=`: the caller's events, oldest first after the cursor. */
export class ListEventsQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: EVENT_TYPES })
  @IsOptional()
  @IsIn(EVENT_TYPES, { message: 'type must be one of the event types (see the contract).' })
  type?: EventType;
}

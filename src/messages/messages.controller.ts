import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../common/auth/principal';
import { IdPipe } from '../common/http/id.pipe';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { mapPage } from '../common/pagination/paginate';
import { Page } from '../common/pagination/keyset';
import { PageOf } from '../common/pagination/page.response';
import { ApiErrors } from '../docs/error-response';
import { CreateMessageDto } from './dto/create-message.dto';
import { MessageResponse } from './dto/message.response';
import { MessagesService } from './messages.service';

@ApiTags('messages')
@ApiBearerAuth()
@ApiErrors(401, 404)
@Controller('v1/requests/:id/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get()
  @ApiOperation({ summary: 'The conversation of the request owner and the awarded expert, oldest first.' })
  @ApiOkResponse({ type: PageOf(MessageResponse) })
  @ApiErrors(400)
  async list(
    @CurrentPrincipal() me: Principal,
    @Param('id', IdPipe) requestId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<MessageResponse>> {
    return mapPage(await this.messages.list(me, requestId, query), MessageResponse.from);
  }

  @Post()
  @ApiOperation({ summary: 'Write to the conversation (the request owner or the awarded expert, from acceptance on).' })
  @ApiCreatedResponse({ type: MessageResponse })
  @ApiErrors(400)
  async post(@CurrentPrincipal() me: Principal, @Param('id', IdPipe) requestId: string, @Body() dto: CreateMessageDto): Promise<MessageResponse> {
    return MessageResponse.from(await this.messages.post(me, requestId, dto.body));
  }
}

import { Module } from '@nestjs/common';
import { RequestLifecycleModule } from '../requests/request-lifecycle.module';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';

/** Messages between a request's owner and its awarded expert. */
@Module({
  imports: [RequestLifecycleModule],
  controllers: [MessagesController],
  providers: [MessagesService],
})
export class MessagesModule {}

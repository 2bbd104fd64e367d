import { ApiProperty } from '@nestjs/swagger';
import { Message } from '../message.entity';

/** A message as the API shows it; also the `object` of `message.created` events. */
export class MessageResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiProperty({ format: 'uuid', description: 'The request owner or the awarded expert.' }) senderId!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static from(m: Message): MessageResponse {
    return { id: m.id, requestId: m.requestId, senderId: m.senderId, body: m.body, createdAt: m.createdAt.toISOString() };
  }
}

import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { FreeText } from '../../common/http/free-text';

export const MESSAGE_LENGTH = { min: 1, max: 5000 } as const;

export class CreateMessageDto {
  @ApiProperty({ minLength: MESSAGE_LENGTH.min, maxLength: MESSAGE_LENGTH.max, example: 'Could you send a photo of the error screen?' })
  @FreeText()
  @Length(MESSAGE_LENGTH.min, MESSAGE_LENGTH.max, { message: `body must be ${MESSAGE_LENGTH.min} to ${MESSAGE_LENGTH.max} characters.` })
  @IsString({ message: 'body must be a string.' })
  body!: string;
}

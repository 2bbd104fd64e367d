import { ApiProperty } from '@nestjs/swagger';
import { UserResponse } from '../users/dto/user.response';
import { User } from '../users/user.entity';

/** A user as an admin sees it: the /v1/me shape plus the suspension time. */
export class AdminUserResponse extends UserResponse {
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  suspendedAt!: string | null;

  static override from(user: User): AdminUserResponse {
    return { ...UserResponse.from(user), suspendedAt: user.suspendedAt?.toISOString() ?? null };
  }
}

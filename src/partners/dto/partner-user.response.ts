import { ApiProperty } from '@nestjs/swagger';
import { User } from '../../users/user.entity';
import { PARTNER_USER_ROLES } from './partner-user.dto';

/** One of a partner's users, as that partner sees it. */
export class PartnerUserResponse {
  @ApiProperty({ format: 'uuid', description: 'The id to send as X-On-Behalf-Of.' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: PARTNER_USER_ROLES }) role!: string;
  @ApiProperty({ type: String, nullable: true }) externalId!: string | null;
  @ApiProperty({ type: Boolean }) suspended!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static from(user: User): PartnerUserResponse {
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      role: user.role,
      externalId: user.externalId,
      suspended: user.suspendedAt !== null,
      createdAt: user.createdAt.toISOString(),
    };
  }
}

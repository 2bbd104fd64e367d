import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { AdminPartnersController } from './admin-partners.controller';
import { ApiKeysService } from './api-keys.service';
import { PartnerAuthService } from './partner-auth.service';
import { PartnerUsersController } from './partner-users.controller';
import { PartnerUsersService } from './partner-users.service';
import { PartnersService } from './partners.service';

/** Partners: their keys (admin routes), their users, and the principal of a call made with a key (used by the auth guard). */
@Module({
  imports: [UsersModule],
  controllers: [AdminPartnersController, PartnerUsersController],
  providers: [ApiKeysService, PartnerAuthService, PartnersService, PartnerUsersService],
  exports: [PartnerAuthService],
})
export class PartnersModule {}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CursorCodec } from '../common/pagination/cursor.codec';
import { Page } from '../common/pagination/keyset';
import { paginate } from '../common/pagination/paginate';
import { isUniqueViolation } from '../database/pg-errors';
import { withTransaction } from '../database/transaction';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { CreatePartnerUserDto, ListPartnerUsersQuery } from './dto/partner-user.dto';

const EXTERNAL_INDEX = 'UQ_users_partner_external';

/**
 * A partner's own users: created by the partner (no password — they never log in themselves,
 * the partner acts for them with X-On-Behalf-Of). `externalId` is the partner's id for the user:
 * creating it again returns the existing user, unchanged, so a partner's retry never duplicates.
 */
@Injectable()
export class PartnerUsersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly users: UsersService,
    private readonly cursors: CursorCodec,
  ) {}

  async create(partnerId: string, dto: CreatePartnerUserDto): Promise<{ user: User; created: boolean }> {
    const existing = dto.externalId === undefined ? null : await this.byExternalId(partnerId, dto.externalId);
    if (existing) return { user: existing, created: false };
    try {
      const user = await withTransaction(this.ds, (em) =>
        this.users.create(em, { email: dto.email, displayName: dto.displayName, role: dto.role, passwordHash: null, partnerId, externalId: dto.externalId ?? null }),
      );
      return { user, created: true };
    } catch (err) {
      // Two creations with one externalId at once: the index lets one in; the other gets that user.
      const raced = dto.externalId !== undefined && isUniqueViolation(err, EXTERNAL_INDEX) ? await this.byExternalId(partnerId, dto.externalId) : null;
      if (raced) return { user: raced, created: false };
      throw err;
    }
  }

  /** The partner's users, newest first, or the one with `externalId`. */
  list(partnerId: string, query: ListPartnerUsersQuery): Promise<Page<User>> {
    const qb = this.ds.getRepository(User).createQueryBuilder('u').where('u.partnerId = :partnerId', { partnerId });
    if (query.externalId !== undefined) qb.andWhere('u.externalId = :externalId', { externalId: query.externalId });
    return paginate(qb, this.cursors, { sort: 'u.createdAt', id: 'u.id', direction: 'DESC', limit: query.limit, cursor: query.cursor, scope: `partner-users:${partnerId}` });
  }

  private byExternalId(partnerId: string, externalId: string): Promise<User | null> {
    return this.ds.getRepository(User).findOneBy({ partnerId, externalId });
  }
}

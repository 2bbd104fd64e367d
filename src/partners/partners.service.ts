import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { notFound } from '../common/errors/domain-error';
import { CursorCodec } from '../common/pagination/cursor.codec';
import { Page } from '../common/pagination/keyset';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { paginate } from '../common/pagination/paginate';
import { withTransaction } from '../database/transaction';
import { ApiKeysService } from './api-keys.service';
import { CreatePartnerDto, UpdatePartnerDto } from './dto/partner.dto';
import { PartnerApiKey } from './partner-api-key.entity';
import { Partner } from './partner.entity';

export interface PartnerWithKeys {
  partner: Partner;
  keys: PartnerApiKey[];
}

/** Admins manage partners: create one (with its first key), rename it, set its revenue share, add and revoke keys. */
@Injectable()
export class PartnersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly keys: ApiKeysService,
    private readonly cursors: CursorCodec,
  ) {}

  async create(dto: CreatePartnerDto): Promise<{ partner: Partner; key: PartnerApiKey; apiKey: string }> {
    return withTransaction(this.ds, async (em) => {
      const repo = em.getRepository(Partner);
      const partner = await repo.save(repo.create({ name: dto.name, revenueShareBps: dto.revenueShareBps ?? 0 }));
      const { key, apiKey } = await this.keys.issue(em, partner.id);
      return { partner, key, apiKey };
    });
  }

  async update(id: string, dto: UpdatePartnerDto): Promise<PartnerWithKeys> {
    const repo = this.ds.getRepository(Partner);
    const changes: Partial<Partner> = {};
    if (dto.name !== undefined) changes.name = dto.name;
    if (dto.revenueShareBps !== undefined) changes.revenueShareBps = dto.revenueShareBps;
    if (Object.keys(changes).length && !(await repo.update(id, changes)).affected) throw notFound('Partner');
    return this.get(id);
  }

  async get(id: string): Promise<PartnerWithKeys> {
    const partner = await this.ds.getRepository(Partner).findOneBy({ id });
    if (!partner) throw notFound('Partner');
    return { partner, keys: await this.keysOf([id]).then((m) => m.get(id) ?? []) };
  }

  /** Newest first; each with its keys (prefix, creation, last use, revocation — never a secret). */
  async list(query: PageQueryDto): Promise<Page<PartnerWithKeys>> {
    const qb = this.ds.getRepository(Partner).createQueryBuilder('p');
    const page = await paginate(qb, this.cursors, { sort: 'p.createdAt', id: 'p.id', direction: 'DESC', limit: query.limit, cursor: query.cursor, scope: 'partners' });
    const keys = await this.keysOf(page.data.map((p) => p.id));
    return { ...page, data: page.data.map((partner) => ({ partner, keys: keys.get(partner.id) ?? [] })) };
  }

  async addKey(partnerId: string): Promise<{ key: PartnerApiKey; apiKey: string }> {
    await this.get(partnerId);
    return withTransaction(this.ds, (em) => this.keys.issue(em, partnerId));
  }

  revokeKey(partnerId: string, keyId: string): Promise<PartnerApiKey> {
    return this.keys.revoke(partnerId, keyId);
  }

  private async keysOf(partnerIds: string[]): Promise<Map<string, PartnerApiKey[]>> {
    const byPartner = new Map<string, PartnerApiKey[]>();
    if (partnerIds.length === 0) return byPartner;
    const rows = await this.ds.getRepository(PartnerApiKey).createQueryBuilder('k').where('k.partnerId IN (:...ids)', { ids: partnerIds }).orderBy('k.createdAt', 'ASC').getMany();
    for (const key of rows) byPartner.set(key.partnerId, [...(byPartner.get(key.partnerId) ?? []), key]);
    return byPartner;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { cachedUser, PrincipalCache } from '../auth/principal-cache';
import { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { ApiKeysService } from './api-keys.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface KeyRow {
  partner_id: string;
  prefix: string;
  secret_sha256: Buffer;
  revoked_at: Date | null;
}

/**
 * The principal of a call made with `X-Api-Key` (contract §2): the partner itself on partner
 * routes, or — with `X-On-Behalf-Of: <userId>` — one of its own users, exactly as that user (their
 * role, quotas and 404s). The key's row and the user's facts come from this process's
 * PrincipalCache (a revocation or suspension empties it on every process at its commit), else
 * one primary-key query each. The refusals:
 * 401 invalid_api_key; 403 not_partner_user (another partner's user, an admin, unknown or
 * malformed); 403 account_suspended.
 */
@Injectable()
export class PartnerAuthService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly keys: ApiKeysService,
    private readonly cache: PrincipalCache,
  ) {}

  async principalFor(apiKey: string | string[] | undefined, onBehalfOf: string | string[] | undefined, asPartner: boolean): Promise<Principal> {
    const actingFor = asPartner || onBehalfOf === undefined ? null : onBehalfOf;
    const userId = typeof actingFor === 'string' && UUID.test(actingFor) ? actingFor : null;
    const keyId = this.keys.keyIdOf(apiKey);
    const row = keyId ? await this.cache.get(`key:${keyId}`, () => this.loadKey(keyId)) : null;
    const owner = await this.keys.authenticate(apiKey, row);
    if (!owner) throw new DomainError('invalid_api_key', 'The API key is missing, malformed, unknown or revoked.');
    if (actingFor === null) return { userId: '', role: 'partner', partnerId: owner.partnerId };
    const user = userId ? await cachedUser(this.cache, this.ds.manager, userId) : null;
    if (!user || user.partnerId !== owner.partnerId || user.role === 'admin') {
      throw new DomainError('not_partner_user', 'X-On-Behalf-Of must name a user this partner created.', 'X-On-Behalf-Of');
    }
    if (user.suspendedAt) throw new DomainError('partner_user_suspended', 'This account is suspended.');
    return { userId: user.id, role: user.role, partnerId: owner.partnerId };
  }

  private async loadKey(keyId: string): Promise<KeyRow | null> {
    const [row] = (await this.ds.query(`SELECT partner_id, prefix, secret_sha256, revoked_at FROM partner_api_keys WHERE id = $1`, [keyId])) as KeyRow[];
    return row ?? null;
  }
}

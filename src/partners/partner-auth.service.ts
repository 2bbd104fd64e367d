import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal, Role } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { ApiKeysService } from './api-keys.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Row {
  partner_id: string;
  prefix: string;
  secret_sha256: Buffer;
  revoked_at: Date | null;
  user_id: string | null;
  user_role: Role | null;
  user_partner_id: string | null;
  user_suspended_at: Date | null;
}

/**
 * The principal of a call made with `X-Api-Key` (contract §2): the partner itself on partner
 * routes, or — with `X-On-Behalf-Of: <userId>` — one of its own users, exactly as that user (their
 * role, quotas and 404s). One query loads the key and the named user together. The refusals:
 * 401 invalid_api_key; 403 not_partner_user (another partner's user, an admin, unknown or
 * malformed); 403 account_suspended.
 */
@Injectable()
export class PartnerAuthService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly keys: ApiKeysService,
  ) {}

  async principalFor(apiKey: string | string[] | undefined, onBehalfOf: string | string[] | undefined, asPartner: boolean): Promise<Principal> {
    const actingFor = asPartner || onBehalfOf === undefined ? null : onBehalfOf;
    const userId = typeof actingFor === 'string' && UUID.test(actingFor) ? actingFor : null;
    const row = await this.load(this.keys.keyIdOf(apiKey), userId);
    const owner = await this.keys.authenticate(apiKey, row);
    if (!owner) throw new DomainError('invalid_api_key', 'The API key is missing, malformed, unknown or revoked.');
    if (actingFor === null) return { userId: '', role: 'partner', partnerId: owner.partnerId };
    if (!row?.user_id || row.user_partner_id !== owner.partnerId || row.user_role === 'admin' || !row.user_role) {
      throw new DomainError('not_partner_user', 'X-On-Behalf-Of must name a user this partner created.', 'X-On-Behalf-Of');
    }
    if (row.user_suspended_at) throw new DomainError('partner_user_suspended', 'This account is suspended.');
    return { userId: row.user_id, role: row.user_role, partnerId: owner.partnerId };
  }

  private async load(keyId: string | null, userId: string | null): Promise<Row | null> {
    if (!keyId) return null;
    const [row] = (await this.ds.query(
      `SELECT k.partner_id, k.prefix, k.secret_sha256, k.revoked_at,
              u.id AS user_id, u.role AS user_role, u.partner_id AS user_partner_id, u.suspended_at AS user_suspended_at
         FROM partner_api_keys k LEFT JOIN users u ON u.id = $2
        WHERE k.id = $1`,
      [keyId, userId],
    )) as Row[];
    return row ?? null;
  }
}

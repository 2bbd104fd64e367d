import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PrincipalCache, principalChanged } from '../auth/principal-cache';
import { notFound } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { hydrate, updatedRows } from '../database/hydrate';
import { withTransaction } from '../database/transaction';
import { digestsMatch, formatApiKey, KEY_PREFIXES, KeyPrefix, newKeySecret, NO_DIGEST, parseApiKey, secretDigest } from './domain/api-key';
import { PartnerApiKey } from './partner-api-key.entity';

/** `last_used_at` is written at most this often per key (and per process: a shared row write is no per-request cost). */
const LAST_USED_EVERY_MS = 60_000;

export interface KeyOwner {
  partnerId: string;
  keyId: string;
}

/** The row a key authenticates against, with the user a partner acts for when it names one. */
interface KeyRow {
  partner_id: string;
  prefix: string;
  secret_sha256: Buffer;
  revoked_at: Date | null;
}

/**
 * Issues, checks and revokes partner API keys (S6): the key is shown once; only the SHA-256 of
 * its secret is stored; a key is looked up by its id and the digests compared in constant time,
 * the same work whether the key is well-formed, unknown, revoked or of the other mode.
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly touched = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly principals: PrincipalCache,
  ) {}

  /** `fxb_test` in sandbox mode, `fxb_live` otherwise. */
  get prefix(): KeyPrefix {
    return this.config.stripe.sandbox ? KEY_PREFIXES.sandbox : KEY_PREFIXES.live;
  }

  /** A new key for the partner; the returned `apiKey` is the only time the secret exists outside the caller. */
  async issue(em: EntityManager, partnerId: string): Promise<{ key: PartnerApiKey; apiKey: string }> {
    const id = randomUUID();
    const secret = newKeySecret();
    const inserted = await em
      .createQueryBuilder()
      .insert()
      .into(PartnerApiKey)
      .values({ id, partnerId, prefix: this.prefix, secretSha256: secretDigest(secret) })
      .returning('*')
      .execute();
    const key = hydrate(em, PartnerApiKey, (inserted.raw as Array<Record<string, unknown>>)[0]);
    return { key, apiKey: formatApiKey(this.prefix, id, secret) };
  }

  /** Revokes one of the partner's keys (idempotent); the next request with it is refused, on every process. */
  async revoke(partnerId: string, keyId: string): Promise<PartnerApiKey> {
    const revoked = await withTransaction(this.ds, async (em) => {
      const [row] = updatedRows(
        await em.query(`UPDATE partner_api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 AND partner_id = $2 RETURNING *`, [keyId, partnerId]),
      );
      if (!row) throw notFound('API key');
      // Every process drops the cached key at this commit (A5).
      await principalChanged(em, `key:${keyId}`);
      return hydrate(em, PartnerApiKey, row);
    });
    // This process drops it now, not when its LISTEN connection hears the commit.
    this.principals.invalidate(`key:${keyId}`);
    return revoked;
  }

  /**
   * The key's owner, or null: malformed, unknown, revoked, or made for the other mode. The digest
   * is compared even when there is nothing to compare with, so a refusal takes as long as a match.
   */
  async authenticate(raw: string | string[] | undefined, row?: KeyRow | null): Promise<KeyOwner | null> {
    const value = typeof raw === 'string' ? raw : '';
    const parsed = parseApiKey(value);
    const stored = row !== undefined ? row : parsed ? await this.findKey(parsed.keyId) : null;
    const matches = digestsMatch(secretDigest(parsed?.secret ?? value), stored?.secret_sha256 ?? NO_DIGEST);
    const valid = matches && parsed !== null && stored !== null && !stored.revoked_at && parsed.prefix === this.prefix && stored.prefix === this.prefix;
    if (!valid) return null;
    this.touch(parsed.keyId);
    return { partnerId: stored.partner_id, keyId: parsed.keyId };
  }

  /** The key's id if `raw` has a key's shape (to load its row together with other facts in one query). */
  keyIdOf(raw: string | string[] | undefined): string | null {
    return typeof raw === 'string' ? (parseApiKey(raw)?.keyId ?? null) : null;
  }

  private async findKey(keyId: string): Promise<KeyRow | null> {
    const [row] = (await this.ds.query(`SELECT partner_id, prefix, secret_sha256, revoked_at FROM partner_api_keys WHERE id = $1`, [keyId])) as KeyRow[];
    return row ?? null;
  }

  /** Records the key's last use at most once a minute: a conditional write after the answer, never awaited by it. */
  private touch(keyId: string): void {
    const now = Date.now();
    if (now - (this.touched.get(keyId) ?? 0) < LAST_USED_EVERY_MS) return;
    this.touched.set(keyId, now);
    this.ds
      .query(`UPDATE partner_api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, [keyId])
      .catch((err: unknown) => this.logger.warn({ err, keyId }, 'could not record the key\'s last use'));
  }
}

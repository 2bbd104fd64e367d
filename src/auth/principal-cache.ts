import { Global, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NotificationsService } from '../database/notifications.service';

/** The channel that says a cached principal changed: `user:<id>` (suspension, role) or `key:<id>` (a revoked API key). */
export const PRINCIPALS_CHANNEL = 'fixbid_principals';
/** Even with every notification heard, nothing is trusted for longer than this. */
const TTL_MS = 60_000;
const MAX_ENTRIES = 50_000;

/**
 * Who a token or an API key is, cached per process (issue 11: no round trip per request for
 * it), without giving up A5 — a suspension, a role change or a revoked key bites at the next
 * request on every process: the transaction that makes the change sends a NOTIFY (see
 * `principalChanged`), every process drops that entry when the commit is heard, and while this
 * process is not listening (its connection lost) nothing is served from the cache at all, and
 * the whole cache is dropped when listening resumes, since notifications sent meanwhile are lost.
 */
@Injectable()
export class PrincipalCache implements OnModuleInit {
  private readonly entries = new Map<string, { value: unknown; until: number }>();
  /** Bumped by every invalidation: a load that raced one is not stored. */
  private generation = 0;

  constructor(private readonly notifications: NotificationsService) {}

  onModuleInit(): void {
    this.notifications.on(PRINCIPALS_CHANNEL, (key) => this.invalidate(key));
    this.notifications.onReconnect(() => this.invalidate('*'));
  }

  /** The cached value of `key`, else `load()`'s (cached unless null, or unless an invalidation arrived meanwhile). */
  async get<T>(key: string, load: () => Promise<T | null>): Promise<T | null> {
    if (!this.notifications.listening) return load();
    const hit = this.entries.get(key);
    if (hit && hit.until > Date.now()) return hit.value as T;
    const generation = this.generation;
    const value = await load();
    if (value !== null && generation === this.generation && this.notifications.listening) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, { value, until: Date.now() + TTL_MS });
    }
    return value;
  }

  invalidate(key: string): void {
    this.generation += 1;
    if (key === '*') this.entries.clear();
    else this.entries.delete(key);
  }
}

/** What authentication needs of a user, cached under `user:<id>` (by the token and the API-key paths alike). */
export interface CachedUser {
  id: string;
  role: 'customer' | 'expert' | 'admin';
  suspendedAt: Date | null;
  partnerId: string | null;
}

/** The user's authentication facts, from the cache or one primary-key query. */
export function cachedUser(cache: PrincipalCache, em: EntityManager, id: string): Promise<CachedUser | null> {
  return cache.get(`user:${id}`, async () => {
    const [row] = (await em.query(`SELECT id, role, suspended_at AS "suspendedAt", partner_id AS "partnerId" FROM users WHERE id = $1`, [id])) as CachedUser[];
    return row ?? null;
  });
}

/** In the transaction that changes a principal: every process drops it when this commits. */
export async function principalChanged(em: EntityManager, key: `user:${string}` | `key:${string}`): Promise<void> {
  await em.query(`SELECT pg_notify($1, $2)`, [PRINCIPALS_CHANNEL, key]);
}

@Global()
@Module({ providers: [PrincipalCache], exports: [PrincipalCache] })
export class PrincipalCacheModule {}

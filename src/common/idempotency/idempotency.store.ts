import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { SealedBox } from '../crypto/sealed-box';

/** Keys are kept (and replayed) for 24 h from their first use, as Stripe does. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** An in-flight row older than this belongs to a crashed process and may be taken over. */
export const IDEMPOTENCY_LEASE_SECONDS = 60;
/** One claim in this many also deletes expired keys, so no scheduler is needed. */
const CLEANUP_EVERY = 100;

export type ClaimOutcome =
  | { kind: 'claimed'; token: string }
  | { kind: 'replay'; status: number; body: string | null }
  | { kind: 'in_use' }
  | { kind: 'reused' };

/**
 * The `idempotency_keys` table. Every decision is one statement on the row, so it holds across
 * any number of server processes: the row is the lock, its `lock_token` fences late writers.
 */
@Injectable()
export class IdempotencyStore {
  private readonly logger = new Logger(IdempotencyStore.name);
  /** Stored bodies can carry tokens and client secrets (S5): they are kept sealed, not in clear. */
  private readonly box: SealedBox;

  constructor(@InjectDataSource() private readonly ds: DataSource, @Inject(APP_CONFIG) config: AppConfig) {
    this.box = new SealedBox(config.jwtSecret, 'idempotency-response');
  }

  async claim(principal: string, key: string, requestHash: string): Promise<ClaimOutcome> {
    if (Math.random() * CLEANUP_EVERY < 1) void this.deleteExpired();
    // A row can vanish between the two statements (its request failed and released it): try again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const token = randomUUID();
      // New key → insert. Expired key, or abandoned in-flight run of the same request → take over.
      const claimed: unknown[] = await this.ds.query(
        `INSERT INTO idempotency_keys AS k (principal, key, request_hash, lock_token, locked_at, created_at)
         VALUES ($1, $2, $3, $4, now(), now())
         ON CONFLICT (principal, key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, response_status = NULL, response_body = NULL,
               lock_token = EXCLUDED.lock_token, locked_at = now(),
               created_at = CASE WHEN k.created_at < now() - make_interval(secs => $5) THEN now() ELSE k.created_at END
           WHERE k.created_at < now() - make_interval(secs => $5)
              OR (k.response_status IS NULL AND k.request_hash = EXCLUDED.request_hash
                  AND k.locked_at < now() - make_interval(secs => $6))
         RETURNING k.lock_token`,
        [principal, key, requestHash, token, IDEMPOTENCY_TTL_SECONDS, IDEMPOTENCY_LEASE_SECONDS],
      );
      if (claimed.length === 1) return { kind: 'claimed', token };

      const rows: Array<{ request_hash: string; response_status: number | null; response_body: string | null }> =
        await this.ds.query(
          `SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE principal = $1 AND key = $2`,
          [principal, key],
        );
      const row = rows[0];
      if (!row) continue;
      if (row.request_hash !== requestHash) return { kind: 'reused' };
      if (row.response_status === null) return { kind: 'in_use' };
      return { kind: 'replay', status: row.response_status, body: row.response_body === null ? null : this.box.open(row.response_body) };
    }
    return { kind: 'in_use' };
  }

  /** Stores the answer to replay; a no-op if the lease was lost to another process meanwhile. */
  async complete(principal: string, key: string, token: string, status: number, body: string | null): Promise<void> {
    await this.ds.query(
      `UPDATE idempotency_keys SET response_status = $4, response_body = $5, lock_token = NULL
       WHERE principal = $1 AND key = $2 AND lock_token = $3`,
      [principal, key, token, status, body === null ? null : this.box.seal(body)],
    );
  }

  /** Forgets an execution whose answer must not be replayed (validation 400, 401, 429, 5xx: I5). */
  async release(principal: string, key: string, token: string): Promise<void> {
    await this.ds.query(
      `DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND lock_token = $3 AND response_status IS NULL`,
      [principal, key, token],
    );
  }

  /** Deletes a bounded batch of expired keys; runs in the background of a claim. */
  async deleteExpired(batch = 1000): Promise<void> {
    try {
      await this.ds.query(
        `DELETE FROM idempotency_keys WHERE ctid IN (
           SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1) LIMIT $2)`,
        [IDEMPOTENCY_TTL_SECONDS, batch],
      );
    } catch (err) {
      this.logger.warn({ err }, 'idempotency key cleanup failed');
    }
  }
}

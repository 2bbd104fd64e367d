import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { normalizeIp } from '@nestjs/throttler';
import { DataSource, EntityManager } from 'typeorm';
import { withTransaction } from '../database/transaction';
import {
  backoffForgetAt,
  BackoffCounter,
  claimAttempt,
  DEVICE_TOKEN_TTL_MS,
  deviceAfterSuccess,
  emailAfterSuccess,
  emailKey,
  hashDeviceToken,
  isDeviceUsable,
  isRefused,
  MAX_DEVICES_PER_USER,
  newDeviceTokenValue,
  NO_BACKOFF,
  NO_WINDOW,
  pairKey,
  windowForgetAt,
  WindowCounter,
} from './domain/login-protection';

/** Rolls a claim's transaction back: a refused attempt writes nothing, not even the rows it created to lock. */
class AttemptRefused extends Error {}

/** One check in this many also deletes forgotten counters and expired device tokens. */
const CLEANUP_EVERY = 200;

export interface LoginAttempt {
  /** Normalised as accounts store it. */
  email: string;
  /** The client's address as the server sees it (behind TRUST_PROXY). */
  address: string;
  deviceToken?: string;
  /** The account with this email, if any: a device token counts only for its own account. */
  userId: string | null;
}

/** The outcome of a claim, handed back to `succeeded` when the password was right. */
export type AttemptTicket =
  | { allowed: false }
  | { allowed: true; device: { id: string; token: string } }
  | { allowed: true; device: null; emailKey: string; pairKey: string };

interface ProtectionRow {
  key: string;
  scope: 'email' | 'pair';
  failures: number;
  window_started_at: Date | null;
  last_attempt_at: Date | null;
  refused_until: Date | null;
}

interface DeviceRow {
  id: string;
  user_id: string;
  expires_at: Date;
  failures: number;
  last_attempt_at: Date | null;
  refused_until: Date | null;
}

const asWindow = (row: ProtectionRow | undefined): WindowCounter =>
  row ? { failures: row.failures, windowStartedAt: row.window_started_at, refusedUntil: row.refused_until } : NO_WINDOW;
const asBackoff = (row: { failures: number; last_attempt_at: Date | null; refused_until: Date | null } | undefined): BackoffCounter =>
  row ? { failures: row.failures, lastAttemptAt: row.last_attempt_at, refusedUntil: row.refused_until } : NO_BACKOFF;

/**
 * The state of login protection in PostgreSQL (shared by every process, nothing kept in memory):
 * counters per email and per (email, address), and the devices that logged in. Accounts are
 * their own aggregate, never locked beside a marketplace row; within it the order is
 * login_protection (the email's row, then the pair's) → login_devices → users. The decisions
 * are domain/login-protection.ts's.
 */
@Injectable()
export class LoginProtectionService {
  private readonly logger = new Logger(LoginProtectionService.name);

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Decides whether this attempt's password may be checked, counting it if so, in one short
   * transaction under the counters' row locks, so attempts racing on any process cannot
   * overspend a threshold. Unknown emails go through exactly the same statements.
   */
  async claim(attempt: LoginAttempt, now: Date): Promise<AttemptTicket> {
    if (Math.random() * CLEANUP_EVERY < 1) void this.deleteForgotten(now);
    try {
      return await withTransaction(this.ds, async (em) => {
        if (attempt.deviceToken !== undefined) {
          const device = await this.findDevice(em, attempt.deviceToken);
          if (device && isDeviceUsable({ userId: device.user_id, expiresAt: device.expires_at }, attempt.userId, now)) {
            return this.claimOnDevice(em, device.id, attempt.deviceToken, now);
          }
        }
        return this.claimOnEmail(em, attempt, now);
      });
    } catch (err) {
      if (err instanceof AttemptRefused) return { allowed: false };
      throw err;
    }
  }

  /**
   * The right password: the attempt is taken back (pair reset, email window less one) or the
   * device's mistakes forgotten, and the device token to return — the presented one, good for
   * another year, or a new one for a client the account did not know.
   */
  async succeeded(em: EntityManager, ticket: AttemptTicket, userId: string, now: Date): Promise<string> {
    if (!ticket.allowed) throw new Error('succeeded() on a refused attempt');
    const expiresAt = new Date(now.getTime() + DEVICE_TOKEN_TTL_MS);
    if (ticket.device) {
      const counter = deviceAfterSuccess();
      await em.query(
        `UPDATE "login_devices" SET "failures" = $2, "last_attempt_at" = $3, "refused_until" = $4, "last_login_at" = $5, "expires_at" = $6
          WHERE "id" = $1`,
        [ticket.device.id, counter.failures, counter.lastAttemptAt, counter.refusedUntil, now, expiresAt],
      );
      return ticket.device.token;
    }
    const rows: ProtectionRow[] = await em.query(
      `SELECT "key", "scope", "failures", "window_started_at", "last_attempt_at", "refused_until"
         FROM "login_protection" WHERE "key" = ANY($1) ORDER BY "scope" FOR UPDATE`,
      [[ticket.emailKey, ticket.pairKey]],
    );
    const email = emailAfterSuccess(asWindow(rows.find((r) => r.scope === 'email')), now);
    await em.query(`DELETE FROM "login_protection" WHERE "key" = $1`, [ticket.pairKey]);
    await em.query(
      `UPDATE "login_protection" SET "failures" = $2, "window_started_at" = $3, "refused_until" = $4, "forget_at" = $5 WHERE "key" = $1`,
      [ticket.emailKey, email.failures, email.windowStartedAt, email.refusedUntil, windowForgetAt(email) ?? now],
    );
    return this.issueDevice(em, userId, now, expiresAt);
  }

  async deleteForgotten(now: Date): Promise<void> {
    try {
      await this.ds.query(`DELETE FROM "login_protection" WHERE "forget_at" <= $1`, [now]);
      await this.ds.query(`DELETE FROM "login_devices" WHERE "expires_at" <= $1`, [now]);
    } catch (err) {
      this.logger.warn({ err }, 'login protection cleanup failed');
    }
  }

  /** Looked up without a lock: only a device of this account is locked, and then alone (lock order). */
  private async findDevice(em: EntityManager, token: string): Promise<Pick<DeviceRow, 'id' | 'user_id' | 'expires_at'> | undefined> {
    const rows: DeviceRow[] = await em.query(`SELECT "id", "user_id", "expires_at" FROM "login_devices" WHERE "token_hash" = $1`, [
      hashDeviceToken(token),
    ]);
    return rows[0];
  }

  private async claimOnDevice(em: EntityManager, id: string, token: string, now: Date): Promise<AttemptTicket> {
    const rows: DeviceRow[] = await em.query(
      `SELECT "id", "user_id", "expires_at", "failures", "last_attempt_at", "refused_until" FROM "login_devices" WHERE "id" = $1 FOR UPDATE`,
      [id],
    );
    // Pruned in between: a device no more, and this attempt is refused like any other the account does not know.
    if (!rows[0]) throw new AttemptRefused();
    const claim = claimAttempt({ device: asBackoff(rows[0]), email: NO_WINDOW, pair: NO_BACKOFF }, now);
    if (!claim.allowed || !claim.trusted) throw new AttemptRefused();
    await em.query(`UPDATE "login_devices" SET "failures" = $2, "last_attempt_at" = $3, "refused_until" = $4 WHERE "id" = $1`, [
      id, claim.device.failures, claim.device.lastAttemptAt, claim.device.refusedUntil,
    ]);
    return { allowed: true, device: { id, token } };
  }

  private async claimOnEmail(em: EntityManager, attempt: LoginAttempt, now: Date): Promise<AttemptTicket> {
    const keys = { email: emailKey(attempt.email), pair: pairKey(attempt.email, normalizeIp(attempt.address)) };
    // Creates missing rows and locks both, the email's first (the order every path takes).
    const rows: ProtectionRow[] = await em.query(
      `INSERT INTO "login_protection" AS p ("key", "email_key", "scope", "failures", "forget_at")
       VALUES ($1, $1, 'email', 0, $3), ($2, $1, 'pair', 0, $3)
       ON CONFLICT ("key") DO UPDATE SET "failures" = p."failures"
       RETURNING "key", "scope", "failures", "window_started_at", "last_attempt_at", "refused_until"`,
      [keys.email, keys.pair, now],
    );
    const email = asWindow(rows.find((r) => r.key === keys.email));
    const pair = asBackoff(rows.find((r) => r.key === keys.pair));
    const claim = claimAttempt({ device: null, email, pair }, now);
    if (!claim.allowed || claim.trusted) throw new AttemptRefused();
    await em.query(
      `UPDATE "login_protection" AS p SET "failures" = v.failures, "window_started_at" = v.window_started_at,
              "last_attempt_at" = v.last_attempt_at, "refused_until" = v.refused_until, "forget_at" = v.forget_at
         FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[])
           AS v(key, failures, window_started_at, last_attempt_at, refused_until, forget_at)
        WHERE p."key" = v.key`,
      [
        [keys.email, keys.pair],
        [claim.email.failures, claim.pair.failures],
        [claim.email.windowStartedAt, null],
        [null, claim.pair.lastAttemptAt],
        [claim.email.refusedUntil, claim.pair.refusedUntil],
        [windowForgetAt(claim.email) ?? now, backoffForgetAt(claim.pair) ?? now],
      ],
    );
    if (!isRefused(email, now) && isRefused(claim.email, now)) {
      this.logger.warn({ emailKey: keys.email.slice(0, 12) }, 'many failed logins on one email: only its known devices may log in for now');
    }
    return { allowed: true, device: null, emailKey: keys.email, pairKey: keys.pair };
  }

  /** A new device token for this account; its expired and least recently used devices beyond the cap go. */
  private async issueDevice(em: EntityManager, userId: string, now: Date, expiresAt: Date): Promise<string> {
    const token = newDeviceTokenValue();
    await em.query(
      `INSERT INTO "login_devices" ("user_id", "token_hash", "expires_at", "last_login_at") VALUES ($1, $2, $3, $4)`,
      [userId, hashDeviceToken(token), expiresAt, now],
    );
    await em.query(
      `DELETE FROM "login_devices" WHERE "user_id" = $1 AND ("expires_at" <= $2 OR "id" IN (
         SELECT "id" FROM "login_devices" WHERE "user_id" = $1 ORDER BY "last_login_at" DESC, "created_at" DESC OFFSET $3))`,
      [userId, now, MAX_DEVICES_PER_USER],
    );
    return token;
  }
}

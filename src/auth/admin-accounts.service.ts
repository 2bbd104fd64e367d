import { Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { principalChanged } from './principal-cache';
import { withTransaction } from '../database/transaction';
import { emailProblem, normalizeEmail, passwordProblem } from '../users/domain/user-input';
import { emailKey } from './domain/login-protection';
import { PasswordHasher } from './password-hasher';
import { RefreshTokensService } from './refresh-tokens.service';

export interface AdminCredentials {
  email: string;
  password: string;
}

export interface AdminAccountResult {
  id: string;
  email: string;
  role: string;
  created: boolean;
}

const ADMIN_DISPLAY_NAME = 'Administrator';

/** The same rules as sign-up, so an admin can log in with what they were created with. */
export function checkAdminCredentials(input: AdminCredentials): AdminCredentials {
  const email = normalizeEmail(input.email);
  const problem = emailProblem(email) ?? passwordProblem(input.password);
  if (problem) throw new Error(problem);
  return { email, password: input.password };
}

/**
 * Admins are never self-registered: `npm run admin:create` (createOrUpdateAdmin) and, when
 * ADMIN_EMAIL/ADMIN_PASSWORD are set, the first boot (ensureAdmin) make them. Also usable
 * without Nest (the CLI constructs it by hand).
 */
@Injectable()
export class AdminAccountsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminAccounts');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly refreshTokens: RefreshTokensService,
    @Optional() @Inject(APP_CONFIG) private readonly config?: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config?.admin) return;
    const result = await this.ensureAdmin(this.config.admin);
    if (result.created) this.logger.log(`Created admin ${result.email} from ADMIN_EMAIL`);
    else if (result.role !== 'admin') {
      this.logger.warn(`ADMIN_EMAIL ${result.email} belongs to a ${result.role}; left unchanged (use npm run admin:create to promote it)`);
    }
  }

  /**
   * Creates the admin if no user has that email; otherwise changes nothing (the environment
   * only seeds the first boot). ON CONFLICT DO NOTHING makes concurrent boots create one row.
   */
  async ensureAdmin(input: AdminCredentials): Promise<AdminAccountResult> {
    const { email, password } = checkAdminCredentials(input);
    const existing = await this.findByEmail(email);
    if (existing) return { ...existing, email, created: false };
    const passwordHash = await this.hasher.hash(password);
    const inserted: Array<{ id: string }> = await this.ds.query(
      `INSERT INTO "users" ("email", "display_name", "role", "password_hash") VALUES ($1, $2, 'admin', $3)
       ON CONFLICT ("email") DO NOTHING RETURNING "id"`,
      [email, ADMIN_DISPLAY_NAME, passwordHash],
    );
    if (inserted[0]) return { id: inserted[0].id, email, role: 'admin', created: true };
    // Another process inserted it between our look-up and our insert.
    return { ...(await this.findByEmail(email))!, email, created: false };
  }

  /**
   * The operator's recovery tool: creates the admin, or makes the existing user with that email
   * an admin with this password — lifting any lockout or suspension and ending its sessions.
   */
  async createOrUpdateAdmin(input: AdminCredentials): Promise<AdminAccountResult> {
    const { email, password } = checkAdminCredentials(input);
    const passwordHash = await this.hasher.hash(password);
    return withTransaction(this.ds, async (em) => {
      // Lifts every login refusal of this email — its pairs' and its devices' included — taking the
      // rows as logins do: the email's row first, then pairs, devices, and the user row last.
      await em.query(
        `DELETE FROM "login_protection" WHERE "key" IN (
           SELECT "key" FROM "login_protection" WHERE "email_key" = $1 ORDER BY "scope", "key" FOR UPDATE)`,
        [emailKey(email)],
      );
      await em.query(
        `UPDATE "login_devices" SET "failures" = 0, "last_attempt_at" = NULL, "refused_until" = NULL
          WHERE "user_id" = (SELECT "id" FROM "users" WHERE "email" = $1)`,
        [email],
      );
      const rows: Array<{ id: string; created: boolean }> = await em.query(
        `INSERT INTO "users" ("email", "display_name", "role", "password_hash") VALUES ($1, $2, 'admin', $3)
         ON CONFLICT ("email") DO UPDATE SET "role" = 'admin', "password_hash" = EXCLUDED."password_hash",
           "suspended_at" = NULL, "updated_at" = now()
         RETURNING "id", (xmax = 0) AS "created"`,
        [email, ADMIN_DISPLAY_NAME, passwordHash],
      );
      const { id, created } = rows[0];
      if (!created) await this.refreshTokens.revokeAllForUser(em, id, new Date());
      // A role change or a lifted suspension: every server process drops its cached principal (A5).
      if (!created) await principalChanged(em, `user:${id}`);
      return { id, email, role: 'admin', created };
    });
  }

  private async findByEmail(email: string): Promise<{ id: string; role: string } | undefined> {
    const rows: Array<{ id: string; role: string }> = await this.ds.query(`SELECT "id", "role" FROM "users" WHERE "email" = $1`, [email]);
    return rows[0];
  }
}

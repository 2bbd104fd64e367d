import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { withTransaction } from '../database/transaction';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { AccessTokens } from './access-tokens';
import { judgeRefreshToken } from './domain/refresh-rotation';
import { LoginProtectionService } from './login-protection.service';
import { PasswordHasher } from './password-hasher';
import { RefreshTokensService } from './refresh-tokens.service';

export interface Session {
  user: User;
  accessToken: string;
  refreshToken: string;
}

/** A login's session and the token by which this client is known to the account from now on (S7). */
export interface LoginSession extends Session {
  deviceToken: string;
}

/** Where a login comes from: the client's address, and the device token an earlier login gave it. */
export interface LoginClient {
  address: string;
  deviceToken?: string;
}

export interface Registration {
  email: string;
  password: string;
  displayName: string;
  role: 'customer' | 'expert';
}

/** Same code and message whether the email or the password was wrong, or the attempt refused (S2, S7). */
const invalidCredentials = () => new DomainError('invalid_credentials', 'The email or password is incorrect.');
const invalidRefreshToken = () => new DomainError('invalid_refresh_token', 'The refresh token is invalid, expired or revoked.');
const suspended = () => new DomainError('account_suspended', 'This account is suspended.');

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly refreshTokens: RefreshTokensService,
    private readonly accessTokens: AccessTokens,
    private readonly protection: LoginProtectionService,
  ) {}

  /** Hashes outside the transaction (slow, CPU-bound); the user and its first token commit together. */
  async register(input: Registration): Promise<Session> {
    const passwordHash = await this.hasher.hash(input.password);
    const now = new Date();
    const { user, refreshToken } = await withTransaction(this.ds, async (em) => {
      const created = await this.users.create(em, { ...input, passwordHash });
      return { user: created, refreshToken: await this.refreshTokens.issue(em, created.id, now) };
    });
    return { user, refreshToken, accessToken: this.accessTokens.sign(user) };
  }

  /**
   * One argon2 verification on every path — known email or not, allowed or refused — and the
   * same statements before it, so neither the answer nor its time tells whether the email has an
   * account (S2, S7). The attempt is counted before the password is looked at (see
   * LoginProtectionService.claim); a refused one is checked against the dummy hash and answers
   * the same 401 as a wrong password.
   */
  async login(email: string, password: string, client: LoginClient): Promise<LoginSession> {
    const now = new Date();
    const user = await this.users.findByEmail(email);
    const ticket = await this.protection.claim({ email, address: client.address, deviceToken: client.deviceToken, userId: user?.id ?? null }, now);
    const matches = await this.hasher.verify(ticket.allowed ? user?.passwordHash : undefined, password);
    if (!ticket.allowed || !user || !matches) throw invalidCredentials();
    if (user.suspendedAt) throw suspended();
    // S1: parameters changed since this hash was made; hashing stays outside the transaction.
    const rehashed = user.passwordHash && this.hasher.needsRehash(user.passwordHash) ? await this.hasher.hash(password) : undefined;
    const { refreshToken, deviceToken } = await withTransaction(this.ds, async (em) => {
      const device = await this.protection.succeeded(em, ticket, user.id, now);
      if (rehashed) await em.getRepository(User).update({ id: user.id }, { passwordHash: rehashed });
      return { deviceToken: device, refreshToken: await this.refreshTokens.issue(em, user.id, now) };
    });
    return { user, refreshToken, deviceToken, accessToken: this.accessTokens.sign(user) };
  }

  /**
   * Exchanges a refresh token for a new pair (S5). The row lock makes concurrent presentations
   * of one token queue up: the first rotates it, every later one finds it rotated, which is
   * reuse, and revokes the family — including the pair the first just received (R8).
   */
  async refresh(value: string): Promise<Session> {
    const now = new Date();
    const outcome = await withTransaction(this.ds, async (em) => {
      const stored = await this.refreshTokens.findForUpdate(em, value);
      const verdict = judgeRefreshToken(stored, now);
      if (!stored || verdict !== 'valid') {
        // Committed, not rolled back: the revocation must outlive this failed request.
        if (stored && verdict === 'reused') await this.refreshTokens.revokeFamily(em, stored.familyId, now);
        return { ok: false as const, error: invalidRefreshToken() };
      }
      const user = await this.users.findById(stored.userId, em);
      if (!user || user.suspendedAt) {
        await this.refreshTokens.revokeFamily(em, stored.familyId, now);
        return { ok: false as const, error: user ? suspended() : invalidRefreshToken() };
      }
      await this.refreshTokens.markRotated(em, stored.id, now);
      const refreshToken = await this.refreshTokens.issue(em, user.id, now, stored.familyId);
      return { ok: true as const, user, refreshToken };
    });
    if (!outcome.ok) throw outcome.error;
    return { user: outcome.user, refreshToken: outcome.refreshToken, accessToken: this.accessTokens.sign(outcome.user) };
  }

  /** Ends the session the token belongs to. Idempotent: an unknown or spent token is already logged out. */
  async logout(value: string): Promise<void> {
    await this.refreshTokens.revokeFamilyOf(value, new Date());
  }
}

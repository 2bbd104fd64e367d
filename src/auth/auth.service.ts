import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { withTransaction } from '../database/transaction';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { AccessTokens } from './access-tokens';
import { isLocked, lockedUntilAfter, retryAfterSeconds } from './domain/lockout';
import { judgeRefreshToken } from './domain/refresh-rotation';
import { PasswordHasher } from './password-hasher';
import { RefreshTokensService } from './refresh-tokens.service';

export interface Session {
  user: User;
  accessToken: string;
  refreshToken: string;
}

export interface Registration {
  email: string;
  password: string;
  displayName: string;
  role: 'customer' | 'expert';
}

/** Same code and message whether the email or the password was wrong (S2). */
const invalidCredentials = () => new DomainError('invalid_credentials', 'The email or password is incorrect.');
const invalidRefreshToken = () => new DomainError('invalid_refresh_token', 'The refresh token is invalid, expired or revoked.');
const suspended = () => new DomainError('account_suspended', 'This account is suspended.');

function accountLocked(until: Date, now: Date): DomainError {
  const seconds = retryAfterSeconds(until, now);
  return new DomainError('account_locked', `Too many failed logins; try again in ${seconds} seconds.`, undefined, {
    'Retry-After': String(seconds),
  });
}

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly refreshTokens: RefreshTokensService,
    private readonly accessTokens: AccessTokens,
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

  async login(email: string, password: string): Promise<Session> {
    const now = new Date();
    const user = await this.users.findByEmail(email);
    // Locked: refused without looking at the password, so guessing stops costing us CPU.
    if (user && isLocked(user.lockedUntil, now)) throw accountLocked(user.lockedUntil, now);
    // Always one argon2 verification, known email or not (S2).
    const matches = await this.hasher.verify(user?.passwordHash, password);
    if (!user || !matches) {
      if (user) await this.recordFailedLogin(user.id, now);
      throw invalidCredentials();
    }
    if (user.suspendedAt) throw suspended();
    // S1: parameters changed since this hash was made; hashing stays outside the transaction.
    const rehashed = user.passwordHash && this.hasher.needsRehash(user.passwordHash) ? await this.hasher.hash(password) : undefined;
    const refreshToken = await withTransaction(this.ds, async (em) => {
      await this.recordSuccessfulLogin(em, user, rehashed);
      return this.refreshTokens.issue(em, user.id, now);
    });
    return { user, refreshToken, accessToken: this.accessTokens.sign(user) };
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

  /**
   * Counts a failure under the row lock. A failure racing past an existing lock neither
   * counts nor extends it, so the lockout grows with failures across locks, not with bursts.
   */
  private async recordFailedLogin(userId: string, now: Date): Promise<void> {
    await withTransaction(this.ds, async (em: EntityManager) => {
      const user = await em.getRepository(User).findOne({ where: { id: userId }, lock: { mode: 'pessimistic_write' } });
      if (!user || isLocked(user.lockedUntil, now)) return;
      const failures = user.failedLoginCount + 1;
      await em.getRepository(User).update(
        { id: userId },
        { failedLoginCount: failures, lockedUntil: lockedUntilAfter(failures, now) ?? user.lockedUntil },
      );
    });
  }

  /** Resets the failure count (S3) and stores the upgraded hash, if any; writes nothing when neither applies. */
  private async recordSuccessfulLogin(em: EntityManager, user: User, rehashed: string | undefined): Promise<void> {
    const changes: Partial<Pick<User, 'failedLoginCount' | 'lockedUntil' | 'passwordHash'>> = {};
    if (user.failedLoginCount !== 0 || user.lockedUntil) Object.assign(changes, { failedLoginCount: 0, lockedUntil: null });
    if (rehashed) changes.passwordHash = rehashed;
    if (Object.keys(changes).length > 0) await em.getRepository(User).update({ id: user.id }, changes);
  }
}

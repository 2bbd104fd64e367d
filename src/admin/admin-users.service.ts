import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RefreshTokensService } from '../auth/refresh-tokens.service';
import { PrincipalCache, principalChanged } from '../auth/principal-cache';
import { DomainError, notFound } from '../common/errors/domain-error';
import { withTransaction } from '../database/transaction';
import { User } from '../users/user.entity';

/** Suspension (A5): the global guard refuses a suspended user's access tokens at the next call. */
@Injectable()
export class AdminUsersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly refreshTokens: RefreshTokensService,
    private readonly principals: PrincipalCache,
  ) {}

  /** Idempotent; also revokes every refresh token of the user so no new access token can be minted. */
  async suspend(userId: string, adminId: string): Promise<User> {
    if (userId === adminId) throw new DomainError('cannot_suspend_self', 'An admin cannot suspend their own account.');
    const now = new Date();
    const suspended = await withTransaction(this.ds, async (em) => {
      const user = await em.getRepository(User).findOne({ where: { id: userId }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw notFound('User');
      if (!user.suspendedAt) {
        user.suspendedAt = now;
        await em.getRepository(User).update({ id: userId }, { suspendedAt: now });
      }
      await this.refreshTokens.revokeAllForUser(em, userId, now);
      // Every process drops its cached principal at this commit (A5).
      await principalChanged(em, `user:${userId}`);
      return user;
    });
    // This process drops it now, not when its LISTEN connection hears the commit: the admin's
    // next request here must already see the change.
    this.principals.invalidate(`user:${userId}`);
    return suspended;
  }

  /** Lifts the suspension; the user logs in again (old refresh tokens stay revoked). */
  async unsuspend(userId: string): Promise<User> {
    const lifted = await withTransaction(this.ds, async (em) => {
      const user = await em.getRepository(User).findOne({ where: { id: userId }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw notFound('User');
      if (user.suspendedAt) {
        user.suspendedAt = null;
        await em.getRepository(User).update({ id: userId }, { suspendedAt: null });
      }
      await principalChanged(em, `user:${userId}`);
      return user;
    });
    this.principals.invalidate(`user:${userId}`);
    return lifted;
  }
}

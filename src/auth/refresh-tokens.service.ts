import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { hashRefreshToken, newRefreshTokenValue, REFRESH_TOKEN_TTL_MS } from './domain/refresh-rotation';
import { RefreshToken } from './refresh-token.entity';

/** Storage of opaque refresh tokens: issue, find by digest, revoke by family or user. */
@Injectable()
export class RefreshTokensService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Stores a new token (a new family unless `familyId` is given) and returns its value, shown once. */
  async issue(em: EntityManager, userId: string, now: Date, familyId: string = randomUUID()): Promise<string> {
    const value = newRefreshTokenValue();
    await em.getRepository(RefreshToken).insert({
      userId,
      familyId,
      tokenHash: hashRefreshToken(value),
      expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_MS),
    });
    return value;
  }

  /** The stored token for this value, row-locked so one presentation at a time decides its fate (R8). */
  findForUpdate(em: EntityManager, value: string): Promise<RefreshToken | null> {
    return em.getRepository(RefreshToken).findOne({
      where: { tokenHash: hashRefreshToken(value) },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async markRotated(em: EntityManager, id: string, now: Date): Promise<void> {
    await em.getRepository(RefreshToken).update({ id }, { rotatedAt: now });
  }

  async revokeFamily(em: EntityManager, familyId: string, now: Date): Promise<void> {
    await em.getRepository(RefreshToken).update({ familyId, revokedAt: IsNull() }, { revokedAt: now });
  }

  /** Logout: revokes the family of this token; unknown or already revoked tokens change nothing. */
  async revokeFamilyOf(value: string, now: Date): Promise<void> {
    await this.ds.query(
      `UPDATE "refresh_tokens" SET "revoked_at" = $2
        WHERE "family_id" = (SELECT "family_id" FROM "refresh_tokens" WHERE "token_hash" = $1)
          AND "revoked_at" IS NULL`,
      [hashRefreshToken(value), now],
    );
  }

  /** Suspension and password resets end every session of the user. */
  async revokeAllForUser(em: EntityManager, userId: string, now: Date): Promise<void> {
    await em.getRepository(RefreshToken).update({ userId, revokedAt: IsNull() }, { revokedAt: now });
  }
}

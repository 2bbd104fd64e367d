import { createSecretKey, randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { InjectDataSource } from '@nestjs/typeorm';
import passport from 'passport';
import { DataSource } from 'typeorm';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AccessClaims, JWT_ALGORITHM } from './access-tokens';
import { cachedUser, PrincipalCache } from './principal-cache';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * passport-jwt with the algorithm pinned to HS256 (A6: `alg: none` and RS/HS confusion are
 * refused) and expiry enforced with no leeway. `validate` then reads the user — from this process's
 * PrincipalCache, which a suspension or role change empties on every process at its commit
 * (LISTEN/NOTIFY), else by primary key — so a suspension takes effect at the next call (A5).
 *
 * Passport keeps strategies in a process-wide registry; each application instance registers
 * its own under a unique name, so two apps in one process (tests, scale-out checks) never
 * verify with each other's database or key.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) implements OnModuleDestroy {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cache: PrincipalCache,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, not a string: jsonwebtoken first tries a string as a public key, which throws
      // and costs ~0.5 ms on every request (measured by the benchmark). passport-jwt hands it to
      // jsonwebtoken untouched; its types only lag behind.
      secretOrKey: createSecretKey(Buffer.from(config.jwtSecret, 'utf8')) as unknown as string,
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
    });
    this.name = `jwt:${randomUUID()}`;
    passport.use(this.name, this);
  }

  /** Called by the mixin's constructor: registration happens above, under the unique name. */
  getPassportInstance(): Pick<typeof passport, 'use'> {
    return { use: () => passport };
  }

  async validate(claims: Partial<AccessClaims>): Promise<Principal> {
    if (claims.typ !== 'access' || typeof claims.sub !== 'string' || !UUID.test(claims.sub)) {
      throw new DomainError('invalid_token', 'The access token is invalid.');
    }
    const user = await cachedUser(this.cache, this.ds.manager, claims.sub);
    if (!user) throw new DomainError('invalid_token', 'The access token is invalid.');
    if (user.suspendedAt) throw new DomainError('account_suspended', 'This account is suspended.');
    // The role comes from the database, not the token, so a role change applies at once.
    return { userId: user.id, role: user.role };
  }

  onModuleDestroy(): void {
    passport.unuse(this.name);
  }
}

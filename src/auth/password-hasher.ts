import { randomBytes } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import * as argon2 from 'argon2';

/** S1: argon2id, 19 MiB, 2 passes, 1 lane (OWASP's minimum argon2id profile). */
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * NIST 800-63B asks verifiers to normalise Unicode passwords, so the same password typed on
 * two keyboards (composed vs decomposed accents) hashes the same.
 */
const prepare = (password: string) => password.normalize('NFKC');

/** A hash of a random string with the current parameters, verified against when the user is unknown (S2). */
let dummyHash: Promise<string> | undefined;

@Injectable()
export class PasswordHasher implements OnModuleInit {
  /** Computes the dummy hash at start-up so the first unknown-email login is not the slow one. */
  async onModuleInit(): Promise<void> {
    await this.dummy();
  }

  hash(password: string): Promise<string> {
    return argon2.hash(prepare(password), { type: argon2.argon2id, ...ARGON2_PARAMS });
  }

  /**
   * True when `password` matches `hash`. With no hash (unknown email, or a partner-made user
   * without a password) it still runs one argon2 verification, so both cost the same time.
   */
  async verify(hash: string | null | undefined, password: string): Promise<boolean> {
    if (!hash) {
      await argon2.verify(await this.dummy(), prepare(password)).catch(() => false);
      return false;
    }
    try {
      return await argon2.verify(hash, prepare(password));
    } catch {
      return false; // a malformed stored hash never matches
    }
  }

  /** The stored hash was made with other parameters (or another variant): rehash on login. */
  needsRehash(hash: string): boolean {
    if (!hash.startsWith('$argon2id$')) return true;
    try {
      return argon2.needsRehash(hash, ARGON2_PARAMS);
    } catch {
      return true;
    }
  }

  private dummy(): Promise<string> {
    dummyHash ??= this.hash(randomBytes(24).toString('base64url'));
    return dummyHash;
  }
}

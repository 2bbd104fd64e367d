import * as argon2 from 'argon2';
import { ARGON2_PARAMS, PasswordHasher } from './password-hasher';

describe('S1 password hashing', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id, m=19456 KiB, t=2, p=1 and verifies', async () => {
    const hash = await hasher.hash('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await hasher.verify(hash, 'correct horse battery')).toBe(true);
    expect(await hasher.verify(hash, 'correct horse batterY')).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
  });

  it('normalises Unicode: composed and decomposed accents are the same password', async () => {
    const hash = await hasher.hash('caf\u00e9-passw0rd');
    expect(await hasher.verify(hash, 'cafe\u0301-passw0rd')).toBe(true);
  });

  it('asks for a rehash when the parameters or variant differ', async () => {
    const weak = await argon2.hash('some password', { type: argon2.argon2id, memoryCost: 8192, timeCost: 2, parallelism: 1 });
    const argon2i = await argon2.hash('some password', { type: argon2.argon2i, ...ARGON2_PARAMS });
    expect(hasher.needsRehash(weak)).toBe(true);
    expect(hasher.needsRehash(argon2i)).toBe(true);
    expect(hasher.needsRehash('not-a-hash')).toBe(true);
  });

  it('S2 with no stored hash it still verifies (against a dummy) and answers false', async () => {
    await hasher.onModuleInit();
    const started = process.hrtime.bigint();
    expect(await hasher.verify(null, 'whatever password')).toBe(false);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(elapsedMs).toBeGreaterThan(2); // an argon2 run, not an early return
    expect(await hasher.verify('garbage', 'whatever password')).toBe(false);
  });
});

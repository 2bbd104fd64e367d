import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reachable } from './embedded-postgres';

/**
 * reachable() decides, when we run as root, whether the postgres user can use the data and the
 * binaries where they are or needs them under /var/lib/fixbid. It reads modes, so it is tested
 * with a made-up account: no root needed.
 */
describe('reachable (can the postgres user get there?)', () => {
  let top: string;
  const stranger = { uid: 54_321, gid: 54_321 };

  beforeEach(() => {
    top = mkdtempSync(join(tmpdir(), 'fixbid-reach-'));
    chmodSync(top, 0o755);
  });
  afterEach(() => rmSync(top, { recursive: true, force: true }));

  it('a home only its owner can enter (0700) hides everything below it from another account', () => {
    const home = join(top, 'home');
    mkdirSync(join(home, 'fixbid', '.data'), { recursive: true });
    chmodSync(home, 0o700);
    expect(reachable(join(home, 'fixbid', '.data'), stranger)).toBe(false);
    chmodSync(home, 0o711);
    expect(reachable(join(home, 'fixbid', '.data'), stranger)).toBe(true);
  });

  it('the owner bits decide for the owner and the group bits for its primary group, even when others may', () => {
    const dir = join(top, 'dir');
    mkdirSync(dir);
    const { uid, gid } = statSync(dir);
    chmodSync(dir, 0o077);
    expect(reachable(dir, { uid, gid: 99_999 })).toBe(false);
    expect(reachable(dir, { uid: 99_999, gid })).toBe(true);
    chmodSync(dir, 0o701);
    expect(reachable(dir, { uid: 99_999, gid })).toBe(false);
    expect(reachable(dir, stranger)).toBe(true);
  });

  it('an executable must be readable and executable; a missing path is not reachable', () => {
    const bin = join(top, 'postgres');
    writeFileSync(bin, '');
    chmodSync(bin, 0o711);
    expect(reachable(bin, stranger, 0o5)).toBe(false);
    chmodSync(bin, 0o755);
    expect(reachable(bin, stranger, 0o5)).toBe(true);
    expect(reachable(join(top, 'missing'), stranger)).toBe(false);
  });
});

import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../errors/domain-error';

/** Where a page ended: the last item's sort key (as the database prints it) and id. */
export interface CursorPosition {
  sort: string | number;
  id: string;
}

const MAX_CURSOR_LENGTH = 1024;
const B64URL = /^[A-Za-z0-9_-]+$/;

function invalidCursor(): DomainError {
  return new DomainError('invalid_cursor', 'The cursor is invalid; use the nextCursor of a previous page.', 'cursor');
}

/**
 * Opaque, tamper-proof cursors (V3): base64url(JSON) + "." + base64url(HMAC-SHA256). The key is
 * derived from the JWT secret (never the secret itself), so a cursor cannot be forged or edited
 * to point elsewhere, and `scope` binds it to the list (and sort) that issued it.
 */
export class CursorCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'fixbid', 'pagination cursor v1', 32));
  }

  encode(position: CursorPosition, scope: string): string {
    const payload = Buffer.from(JSON.stringify({ k: scope, s: position.sort, i: position.id })).toString('base64url');
    return `${payload}.${this.sign(payload).toString('base64url')}`;
  }

  /** Throws 400 `invalid_cursor` for anything this server did not issue for this list. */
  decode(cursor: string, scope: string): CursorPosition {
    if (cursor.length > MAX_CURSOR_LENGTH) throw invalidCursor();
    const parts = cursor.split('.');
    if (parts.length !== 2 || !B64URL.test(parts[0]) || !B64URL.test(parts[1])) throw invalidCursor();
    const [payload, signature] = parts;
    const given = Buffer.from(signature, 'base64url');
    const expected = this.sign(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidCursor();
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalidCursor();
    }
    const { k, s, i } = (parsed ?? {}) as { k?: unknown; s?: unknown; i?: unknown };
    if (k !== scope || typeof i !== 'string' || (typeof s !== 'string' && typeof s !== 'number')) throw invalidCursor();
    return { sort: s, id: i };
  }

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }
}

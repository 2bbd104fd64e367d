import { createHash } from 'node:crypto';
import { paramError } from './errors';
import type { SandboxState } from './state';

const TTL_MS = 24 * 60 * 60 * 1000;
const MAX_KEY_LENGTH = 255;

export interface IdempotencyRecord {
  /** `POST /v1/refunds`: a key may not move to another endpoint. */
  endpoint: string;
  /** Hash of the canonical parameters: a key may not be reused with other parameters. */
  fingerprint: string;
  status: number;
  body: string;
  requestId: string;
  createdAtMs: number;
}

export type IdempotencyLookup =
  | { kind: 'new' }
  | { kind: 'replay'; record: IdempotencyRecord }
  | { kind: 'mismatch'; sameEndpoint: boolean };

/**
 * Stripe's idempotency for POST requests: the first response for (API key, account, key) is
 * kept for 24 hours and replayed byte for byte; the same key with other parameters, or on
 * another endpoint, is an idempotency_error. Validation failures are not kept (see SandboxError.saved).
 */
export class IdempotencyStore {
  constructor(private readonly state: SandboxState) {}

  static scope(apiKey: string, stripeAccount: string | undefined, key: string): string {
    if (key.length > MAX_KEY_LENGTH) {
      throw paramError(
        `Idempotency-Key must be at most ${MAX_KEY_LENGTH} characters long.`,
        'idempotency_key_too_long',
        'Idempotency-Key',
      );
    }
    return `${apiKey}\u0000${stripeAccount ?? ''}\u0000${key}`;
  }

  static fingerprint(canonicalParams: string): string {
    return createHash('sha256').update(canonicalParams).digest('hex');
  }

  lookup(scope: string, endpoint: string, fingerprint: string): IdempotencyLookup {
    const record = this.state.idempotency.get(scope);
    if (!record || this.state.nowMs() - record.createdAtMs > TTL_MS) return { kind: 'new' };
    if (record.endpoint !== endpoint) return { kind: 'mismatch', sameEndpoint: false };
    if (record.fingerprint !== fingerprint) return { kind: 'mismatch', sameEndpoint: true };
    return { kind: 'replay', record };
  }

  save(scope: string, record: IdempotencyRecord): void {
    this.prune();
    this.state.idempotency.delete(scope); // re-insert at the end: pruning relies on insertion order
    this.state.idempotency.set(scope, record);
  }

  private prune(): void {
    const cutoff = this.state.nowMs() - TTL_MS;
    for (const [scope, record] of this.state.idempotency) {
      if (record.createdAtMs >= cutoff) break; // insertion order is creation order
      this.state.idempotency.delete(scope);
    }
  }
}

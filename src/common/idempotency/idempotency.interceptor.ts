import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { catchError, from, mergeMap, Observable, of, throwError } from 'rxjs';
import { AuthedRequest } from '../auth/principal';
import { DomainError } from '../errors/domain-error';
import { toErrorResponse } from '../errors/error-envelope';
import { IdempotencyStore } from './idempotency.store';
import { callerKey, readIdempotencyKey, requestFingerprint } from './request-fingerprint';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** Business-rule answers are part of the result and replay; validation 400s, 401, 429 and 5xx do not (I5). */
const STORED_ERROR_STATUSES = new Set([403, 404, 409, 422]);

/**
 * `/v1/auth/*` answers carry credentials (token pairs): a replay would hand them to whoever else
 * sends the same key from the same address, so those routes accept the header and ignore it —
 * nothing is stored or replayed (contract §1, v1.1). Judged by the matched route, not the raw URL.
 */
const UNSTORED_ROUTE_PREFIX = '/v1/auth/';

export function storesAnswers(request: Pick<AuthedRequest, 'routeOptions'>): boolean {
  return !(request.routeOptions?.url ?? '').startsWith(UNSTORED_ROUTE_PREFIX);
}

interface Claim {
  principal: string;
  key: string;
  token: string;
}

/**
 * Idempotency-Key on every POST but /v1/auth/* (Stripe's contract): the first request runs and its answer is
 * stored; a repeat replays it (I1), another body is 422 (I2), a concurrent repeat is 409 (I3),
 * keys are per caller (I4). Global guards run before interceptors, so the auth guard's 401 and
 * the rate limiter's 429 never reach this and are never stored.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(private readonly store: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    if (request.method !== 'POST' || !storesAnswers(request)) return next.handle();
    const header = readIdempotencyKey(request.headers[IDEMPOTENCY_HEADER]);
    if (!header.present) return next.handle();
    if (!header.valid) {
      return throwError(
        () => new DomainError('invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 printable ASCII characters.', 'Idempotency-Key'),
      );
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const principal = callerKey(request.principal, request.ip);
    const hash = requestFingerprint(request.method, request.url, request.body);

    return from(this.store.claim(principal, header.key, hash)).pipe(
      mergeMap((outcome) => {
        switch (outcome.kind) {
          case 'claimed':
            return this.run(next, reply, String(request.id), { principal, key: header.key, token: outcome.token });
          case 'replay':
            return of(replayResponse(outcome.status, outcome.body));
          case 'in_use':
            throw new DomainError('idempotency_key_in_use', 'A request with this Idempotency-Key is still being processed; retry later.', 'Idempotency-Key');
          case 'reused':
            throw new DomainError('idempotency_key_reused', 'This Idempotency-Key was used with a different request.', 'Idempotency-Key');
        }
      }),
    );
  }

  private run(next: CallHandler, reply: FastifyReply, requestId: string, claim: Claim): Observable<unknown> {
    return next.handle().pipe(
      mergeMap(async (value) => {
        // Nest set the route's @HttpCode status before the interceptors ran; a handler may have changed it.
        const body = serializable(value);
        if (body === undefined) await this.settle(() => this.store.release(claim.principal, claim.key, claim.token));
        else await this.settle(() => this.store.complete(claim.principal, claim.key, claim.token, reply.statusCode, body));
        return value;
      }),
      catchError((err: unknown) =>
        from(this.settleError(err, requestId, claim)).pipe(mergeMap(() => throwError(() => err))),
      ),
    );
  }

  /** Stores the envelope exactly as the error filter will send it, or forgets the key. */
  private async settleError(err: unknown, requestId: string, claim: Claim): Promise<void> {
    const mapped = err instanceof DomainError ? toErrorResponse(err, requestId) : null;
    if (mapped && STORED_ERROR_STATUSES.has(mapped.status)) {
      await this.settle(() =>
        this.store.complete(claim.principal, claim.key, claim.token, mapped.status, JSON.stringify(mapped.body)),
      );
    } else {
      await this.settle(() => this.store.release(claim.principal, claim.key, claim.token));
    }
  }

  /**
   * The response goes out even if bookkeeping fails: the row then stays in flight and is taken
   * over once its lease runs out, so a retry is never blocked for good.
   */
  private async settle(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.logger.error({ err }, 'could not record the idempotent response');
    }
  }
}

/**
 * The JSON text Fastify will send for `value`; null for an empty body (204); undefined for what
 * cannot be replayed (a stream, a web Response), whose key is then released instead.
 */
function serializable(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object' && (Symbol.asyncIterator in value || typeof (value as { pipe?: unknown }).pipe === 'function')) return undefined;
  if (Object.prototype.toString.call(value) === '[object Response]' || Buffer.isBuffer(value)) return undefined;
  return typeof value === 'string' ? undefined : JSON.stringify(value);
}

/**
 * A web Response is "the whole answer" to Nest: its status wins over the route's @HttpCode, so a
 * stored 409 replays as 409 on a route whose success is 201. The body is the stored text as it was
 * (an error keeps the original request's requestId; the X-Request-Id header is this request's).
 */
function replayResponse(status: number, body: string | null): Response {
  const headers: Record<string, string> = { [REPLAYED_HEADER]: 'true' };
  if (body !== null) {
    headers['content-type'] = 'application/json; charset=utf-8';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Response(body, { status, headers });
}

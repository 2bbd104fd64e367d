import type { EventObject } from './objects';
import type { Params } from './params';
import type { TaskKind } from './scheduler';
import type { SandboxState } from './state';

/** What a route handler sees. Handlers are synchronous: a request's changes are atomic. */
export interface RequestContext {
  method: string;
  path: string;
  pathParams: Record<string, string>;
  query: URLSearchParams;
  params: Params;
  /** The secret (or publishable) key the request authenticated with. */
  apiKey: string;
  publishable: boolean;
  requestId: string;
  idempotencyKey: string | undefined;
  /** The `Stripe-Account` header: the connected account a platform acts as (GET /v1/balance reads it). */
  stripeAccount: string | undefined;
  /** http://127.0.0.1:<port>, for URLs the sandbox hands out (account links). */
  sandboxUrl: string;
  state: SandboxState;
  /** Records an Event for this change; it is delivered to the webhook after the response is sent. */
  emit(type: string, object: object, previousAttributes?: Record<string, unknown>): EventObject;
  /** Has Stripe act on an object on its own a little later (see scheduler.ts). */
  schedule(kind: TaskKind, target: string, outcome?: string): void;
}

export type HandlerResult =
  | { status?: number; body: unknown }
  | { status?: number; html: string; headers?: Record<string, string> };

export type Handler = (ctx: RequestContext) => HandlerResult;

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** `/v1/payment_intents/:id/confirm`. */
  pattern: string;
  handler: Handler;
  /** Routes under /sandbox need no API key. */
  public?: boolean;
  /** Publishable keys (pk_test_) may call this route when they pass the client_secret. */
  publishableWithClientSecret?: boolean;
}

export function json(body: unknown, status = 200): HandlerResult {
  return { status, body };
}

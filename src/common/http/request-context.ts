import { AsyncLocalStorage } from 'node:async_hooks';

/** What the rest of a request's work may need to know of its caller without passing it down every call. */
export interface RequestContext {
  /** The partner whose API key made this request (recorded on every event it causes: the audit trail). */
  partnerId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `next` (the rest of the request's lifecycle) with a fresh context; see app.factory.ts. */
export function withRequestContext(next: () => void): void {
  storage.run({}, next);
}

/** The current request's context; an empty one outside a request (jobs, webhooks from Stripe). */
export function requestContext(): RequestContext {
  return storage.getStore() ?? {};
}

type Maybe<T> = T | undefined | null | false;

/**
 * Polls `probe` (sync or async) until it returns something truthy, and returns that; fails with
 * `what` after `timeoutMs`. The one wait of the e2e specs: rows, webhooks, Stripe objects.
 */
export async function waitFor<T>(what: string, probe: () => Maybe<T> | Promise<Maybe<T>>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

import { SANDBOX_API_VERSION } from './events';
import { FaultControl, Faults } from './faults';
import { StateFile } from './persistence';
import { SandboxServer } from './server';
import { SandboxState } from './state';
import { WebhookChaos, WebhookChaosCounts, WebhookChaosOptions } from './webhook-chaos';
import { WebhookDelivery, WebhookDispatcher } from './webhooks';

export type { FailNextOptions, FaultControl, FaultKind, RefuseNextOptions } from './faults';
export type { WebhookDelivery } from './webhooks';
export type { WebhookChaosCounts, WebhookChaosOptions } from './webhook-chaos';
export { signWebhookPayload } from './webhooks';
export { TEST_CARDS } from './payment-methods';
export { SANDBOX_API_VERSION } from './events';

export interface StripeSandboxOptions {
  /** 0 picks a free port; stop()/start() keep whichever port was bound first. */
  port: number;
  host?: string;
  /** Where events are POSTed, signed with webhookSecret; settable later with setWebhookUrl(). */
  webhookUrl?: string;
  webhookSecret: string;
  /** JSON file holding the state across restarts (loaded at start, written debounced and atomically). */
  stateFile?: string;
  /** Waits before retries of a failed delivery; default [250, 1000, 3000, 10000] (5 attempts). */
  webhookRetryDelaysMs?: number[];
  /** Per-attempt delivery timeout; default 10 s. */
  webhookTimeoutMs?: number;
  /** api_version stamped on events; default the official SDK's pinned version. */
  apiVersion?: string;
  /** Delivery failures and state-file problems; default silent. */
  log?: (line: string) => void;
  /** Milliseconds since the epoch, for `created` fields and idempotency expiry; default Date.now. */
  clock?: () => number;
  /**
   * How long Stripe's own later changes wait: a `pm_card_refundFail` refund failing, a dispute
   * decided after evidence. Default 200 ms; webhooksIdle() waits for them.
   */
  asyncDelayMs?: number;
  /** Deliver some events twice, late or out of order, from a seeded generator (chaos runs); default off. */
  webhookChaos?: WebhookChaosOptions;
}

export interface StripeSandbox {
  /** The bound port (stays the same across stop()/start()). */
  readonly port: number;
  /** `http://127.0.0.1:<port>`: point the SDK at it with {host, port, protocol: 'http'}. */
  readonly url: string;
  readonly running: boolean;
  readonly faults: FaultControl;
  setWebhookUrl(url: string | undefined): void;
  /** Stop listening and drop connections (clients get ECONNREFUSED); state and queued webhooks are kept. */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
  /** Stop for good: cancels pending webhook retries and writes the state file. */
  close(): Promise<void>;
  /** Resolves once no scheduled change is pending and no webhook is queued, in flight or waiting for a retry. */
  webhooksIdle(): Promise<void>;
  /** Every delivery attempt so far (newest last), including dropped ones. */
  webhookDeliveries(): readonly WebhookDelivery[];
  /** Deliver an existing event once more, now (duplicate and out-of-order delivery tests). */
  resendEvent(eventId: string): Promise<WebhookDelivery>;
  /** How many events the webhook chaos duplicated, delayed and reordered so far (zeros without it). */
  webhookChaos(): WebhookChaosCounts;
}

export async function startStripeSandbox(options: StripeSandboxOptions): Promise<StripeSandbox> {
  if (!options.webhookSecret) throw new Error('startStripeSandbox: webhookSecret is required');
  const log = options.log ?? (() => undefined);
  const state = new SandboxState(options.clock);
  const stateFile = options.stateFile ? new StateFile(options.stateFile, state, log) : undefined;
  stateFile?.load();
  if (stateFile) state.onChange(() => stateFile.scheduleSave());
  const faults = new Faults();
  const chaos = options.webhookChaos ? new WebhookChaos(options.webhookChaos) : undefined;
  const dispatcher = new WebhookDispatcher({
    secret: options.webhookSecret,
    url: options.webhookUrl,
    retryDelaysMs: options.webhookRetryDelaysMs ?? [250, 1000, 3000, 10000],
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    faults,
    state,
    log,
    chaos,
  });
  const server = new SandboxServer({
    host: options.host ?? '127.0.0.1',
    apiVersion: options.apiVersion ?? SANDBOX_API_VERSION,
    state,
    faults,
    dispatcher,
    asyncDelayMs: options.asyncDelayMs ?? 200,
    log,
  });
  await server.listen(options.port);
  server.scheduler.resume();
  const port = server.port;
  let closed = false;

  return {
    port,
    get url() {
      return server.url;
    },
    get running() {
      return server.listening;
    },
    faults,
    setWebhookUrl: (url) => dispatcher.setUrl(url),
    async stop() {
      dispatcher.pause();
      await server.stop();
    },
    async start() {
      if (closed) throw new Error('The Stripe sandbox was closed; start a new one');
      await server.listen(port);
      dispatcher.resume();
    },
    async close() {
      if (closed) return;
      closed = true;
      server.scheduler.close();
      dispatcher.close();
      await server.stop();
      stateFile?.saveNow();
    },
    async webhooksIdle() {
      await server.scheduler.idle();
      await dispatcher.idle();
    },
    webhookDeliveries: () => dispatcher.deliveries,
    async resendEvent(eventId) {
      const event = state.events.get(eventId);
      if (!event) throw new Error(`No such event: '${eventId}'`);
      return dispatcher.resend(event);
    },
    webhookChaos: () => ({ ...(chaos?.counts ?? { duplicated: 0, delayed: 0, reordered: 0 }) }),
  };
}

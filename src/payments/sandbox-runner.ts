import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppConfig } from '../config/app-config';
import { startStripeSandbox, StripeSandbox } from '../stripe-sandbox';

export interface LaunchedSandbox {
  sandbox: StripeSandbox;
  /** The settings with the emulator's port and the webhook secret filled in: give these to createApp. */
  config: AppConfig;
  /** Once the server listens: where the emulator POSTs events (the server's own /v1/webhooks/stripe). */
  connect(serverBaseUrl: string): void;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Overrides config.stripe.sandboxPort (tests: 0, a free port). */
  port?: number;
  /** Keep the emulator's state across restarts (npm start: in DATA_DIR). */
  stateFile?: string;
  webhookSecret?: string;
  webhookRetryDelaysMs?: number[];
  log?: (line: string) => void;
}

/**
 * Sandbox mode (contract §4), the same for `npm start` and the test app: the Stripe emulator on
 * 127.0.0.1, the SDK pointed at it, and events signed with the webhook secret — the configured
 * one, or one generated once into DATA_DIR so restarts keep verifying.
 */
export async function launchStripeSandbox(config: AppConfig, options: LaunchOptions = {}): Promise<LaunchedSandbox> {
  const webhookSecret = options.webhookSecret ?? config.stripe.webhookSecret ?? localWebhookSecret(config.dataDir);
  const sandbox = await startStripeSandbox({
    port: options.port ?? config.stripe.sandboxPort,
    webhookSecret,
    stateFile: options.stateFile,
    webhookRetryDelaysMs: options.webhookRetryDelaysMs,
    log: options.log,
  });
  return {
    sandbox,
    config: { ...config, stripe: { ...config.stripe, sandbox: true, sandboxPort: sandbox.port, webhookSecret } },
    connect: (serverBaseUrl) => sandbox.setWebhookUrl(`${serverBaseUrl.replace(/\/+$/, '')}/v1/webhooks/stripe`),
    close: () => sandbox.close(),
  };
}

/** The emulator's state file for `npm start`. */
export function sandboxStateFile(dataDir: string): string {
  return join(resolve(dataDir), 'stripe-sandbox.json');
}

function localWebhookSecret(dataDir: string): string {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'stripe-webhook-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

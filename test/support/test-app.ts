import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { WebhookNetwork } from '../../src/webhooks/webhook-network';
import { AppConfig } from '../../src/config/app-config';
import { launchStripeSandbox } from '../../src/payments/sandbox-runner';
import type { StripeSandbox } from '../../src/stripe-sandbox';
import Stripe from 'stripe';
import { sandboxStripe } from './stripe';

export interface TestApp {
  app: NestFastifyApplication;
  /** A supertest client bound to the real Fastify server. */
  http: TestAgent;
  ds: DataSource;
  config: AppConfig;
  databaseUrl: string;
  /** This app's Stripe emulator (sandbox mode): faults, webhook deliveries, stop()/start(). */
  sandbox: StripeSandbox;
  /** The official SDK as a customer's browser uses it (publishable key): confirm with a clientSecret. */
  stripe: Stripe;
  /** `http://127.0.0.1:<port>`: the app listens on a real port so the sandbox can POST webhooks. */
  baseUrl: string;
  close(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.FIXBID_TEST_ADMIN_URL;
  if (!url) throw new Error('FIXBID_TEST_ADMIN_URL is unset: run e2e specs through jest (global setup).');
  return url;
}

/** A fresh database cloned from the migrated template: each test file gets its own. */
export async function createTestDatabase(): Promise<string> {
  const template = process.env.FIXBID_TEST_TEMPLATE!;
  const name = `${template}_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export function testConfig(databaseUrl: string, overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    nodeEnv: 'test',
    host: '127.0.0.1',
    port: 0,
    databaseUrl,
    databasePoolSize: 10,
    dataDir: '.data-test',
    jwtSecret: 'test-secret-test-secret-test-secret-0123456789',
    stripe: { sandbox: true, sandboxPort: 0, reconcileIntervalSeconds: 0 },
    platformFeeBps: 1500,
    paymentWindowHours: 24,
    reviewWindowHours: 168,
    maxHoldDays: 60,
    reopenResolveDays: 7,
    warrantyHoldbackBps: 1000,
    payoutHoldHours: 0,
    logLevel: 'silent',
    trustProxy: 'loopback',
    // Generous by default so ordinary specs never trip them; rate-limit specs lower these.
    rateLimitPerMinute: 100_000,
    authRateLimitPerMinute: 100_000,
    stripeRateLimitPerMinute: 100_000,
    publicRateLimitPerMinute: 100_000,
    jobs: { pollSeconds: 0.5, workers: true },
    bidQuotaPerHour: 60,
    eventRetentionDays: 30,
    ...overrides,
  };
}

/**
 * The real application (same factory as `npm start`) on its own fresh database, listening on a
 * free port, with its own Stripe sandbox (as in sandbox mode) posting webhooks to it.
 * Pass `databaseUrl` to run a second instance on the same database (scale-out tests), and
 * `shareSandboxWith` to point it at the first instance's sandbox (whose webhooks go to the first).
 */
export async function createTestApp(
  overrides: Partial<AppConfig> = {},
  options: { databaseUrl?: string; shareSandboxWith?: TestApp; webhookNetwork?: WebhookNetwork } = {},
): Promise<TestApp> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  const base = testConfig(databaseUrl, overrides);
  const shared = options.shareSandboxWith;
  const launched = shared
    ? undefined
    : await launchStripeSandbox(base, {
        port: 0,
        webhookSecret: base.stripe.webhookSecret ?? `whsec_test_${randomBytes(16).toString('hex')}`,
        webhookRetryDelaysMs: [100, 300, 1000, 3000],
      });
  const config: AppConfig = shared ? { ...base, stripe: { ...shared.config.stripe } } : launched!.config;
  const sandbox = shared ? shared.sandbox : launched!.sandbox;
  // FIXBID_TEST_LOG=error (or info...) shows the app's own log while debugging a spec.
  const logLevel = process.env.FIXBID_TEST_LOG;
  const network = { webhookNetwork: options.webhookNetwork };
  const app = logLevel ? await createApp({ ...config, logLevel }, network) : await createApp(config, { logger: false, ...network });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${port}`;
  launched?.connect(baseUrl);
  const ds = app.get(DataSource);
  return {
    app,
    http: request.agent(app.getHttpServer()),
    ds,
    config,
    databaseUrl,
    sandbox,
    stripe: sandboxStripe(sandbox, { key: 'pk_test_sandbox' }),
    baseUrl,
    close: async () => {
      await app.close();
      await launched?.close();
    },
  };
}

import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/config/app-config';

export interface TestApp {
  app: NestFastifyApplication;
  /** A supertest client bound to the real Fastify server. */
  http: TestAgent;
  ds: DataSource;
  config: AppConfig;
  databaseUrl: string;
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
    stripe: { sandbox: true, sandboxPort: 0 },
    platformFeeBps: 1500,
    paymentWindowHours: 24,
    reviewWindowHours: 168,
    maxHoldDays: 60,
    logLevel: 'silent',
    // Generous by default so ordinary specs never trip them; rate-limit specs lower these.
    rateLimitPerMinute: 100_000,
    authRateLimitPerMinute: 100_000,
    ...overrides,
  };
}

/**
 * The real application (same factory as `npm start`) on its own fresh database.
 * Pass `databaseUrl` to run a second instance on the same database (scale-out tests).
 */
export async function createTestApp(
  overrides: Partial<AppConfig> = {},
  options: { databaseUrl?: string } = {},
): Promise<TestApp> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  const config = testConfig(databaseUrl, overrides);
  const app = await createApp(config, { logger: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const ds = app.get(DataSource);
  return {
    app,
    http: request.agent(app.getHttpServer()),
    ds,
    config,
    databaseUrl,
    close: () => app.close(),
  };
}

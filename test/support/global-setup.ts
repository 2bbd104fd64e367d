import { Client } from 'pg';
import { startScratchPostgres } from '../../src/database/embedded-postgres';
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
    const cluster = await startScratchPostgres('test', ['-c', 'max_connections=500']);
    (globalThis as Record<string, unknown>).__FIXBID_TEST_PG__ = cluster;
    adminUrl = cluster.adminUrl;
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

import { Client } from 'pg';
import type { ScratchCluster } from '../../src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const cluster = (globalThis as Record<string, unknown>).__FIXBID_TEST_PG__ as ScratchCluster | undefined;
  if (cluster) {
    await cluster.stop();
    return;
  }
  // A shared server (DATABASE_URL): drop what this run created.
  const admin = new Client({ connectionString: process.env.FIXBID_TEST_ADMIN_URL });
  await admin.connect();
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
    [`${process.env.FIXBID_TEST_TEMPLATE}_%`, process.env.FIXBID_TEST_TEMPLATE],
  );
  for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await admin.end();
}

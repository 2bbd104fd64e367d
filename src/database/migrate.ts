import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

const MIGRATION_LOCK = 728_311_004;

/**
 * Applies pending migrations under an advisory lock, so several server processes starting at
 * once against one database apply each migration exactly once.
 */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = await new DataSource({ ...dataSourceOptions(url, 2) }).initialize();
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
    await ds.destroy();
  }
}

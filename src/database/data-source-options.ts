import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';

const ROOT = join(__dirname, '..', '..');

/**
 * One definition of the TypeORM connection for the server, the CLI commands and the tests.
 * Migrations only: `synchronize` is never on, and a test compares entities with migrations.
 */
export function dataSourceOptions(url: string, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    // gen_random_uuid() is built into PostgreSQL 13+; no uuid-ossp extension needed.
    uuidExtension: 'pgcrypto',
    entities: [join(ROOT, 'src', '**', '*.entity.{ts,js}')],
    migrations: [join(ROOT, 'migrations', '*.{ts,js}')],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: poolSize, application_name: 'fixbid' },
  };
}

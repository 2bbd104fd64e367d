import { createHash } from 'node:crypto';
import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Hot reads skip the ORM: one SQL statement, prepared once per connection under a name, run on
 * the pg pool TypeORM already holds. A name must always mean the same text on a connection, so it
 * carries a digest of the text: a statement built per shape (which filters are present) gets one
 * name per shape, never one per value.
 */
export interface NamedStatement {
  readonly name: string;
  readonly text: string;
}

export function namedStatement(prefix: string, text: string): NamedStatement {
  return { name: `${prefix}_${createHash('sha1').update(text).digest('hex').slice(0, 12)}`, text };
}

/** The pg Pool underneath a TypeORM DataSource (the same connections, the same limits). */
export function poolOf(ds: DataSource): Pool {
  return (ds.driver as PostgresDriver).master as Pool;
}

/** One round trip: the named statement with its values; the rows as pg parsed them. */
export async function runPrepared<R extends QueryResultRow>(pool: Pool, statement: NamedStatement, values: readonly unknown[]): Promise<R[]> {
  const result = await pool.query<R>({ name: statement.name, text: statement.text, values: [...values] });
  return result.rows;
}

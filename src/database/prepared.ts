import { createHash } from 'node:crypto';
import type { Pool, QueryResultRow } from 'pg';
import type { DataSource, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Hot reads skip the ORM: one SQL statement, prepared once per connection under a name (parsed
 * and planned the first time a connection runs it, not per call), run on the pg pool TypeORM
 * already holds. A name must always mean the same text on a connection.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

const known = new Map<string, string>();

/** A fixed statement under a fixed name; a second text under the same name is a bug, refused at load. */
export function prepared(name: string, text: string): PreparedStatement {
  const before = known.get(name);
  if (before !== undefined && before !== text) throw new Error(`prepared statement ${name} declared twice with different text`);
  known.set(name, text);
  return { name, text };
}

/**
 * A statement built per shape (which filters are present): its name carries a digest of its
 * text, so each shape gets one name, never one per value.
 */
export function namedStatement(prefix: string, text: string): PreparedStatement {
  return { name: `${prefix}_${createHash('sha1').update(text).digest('hex').slice(0, 12)}`, text };
}

/** The pg Pool underneath a TypeORM DataSource (the same connections, the same limits). */
export function poolOf(ds: DataSource): Pool {
  return (ds.driver as PostgresDriver).master as Pool;
}

/**
 * One round trip: the named statement with its values on the DataSource's pool, outside any
 * transaction; rows as pg parses them (timestamptz → Date, int → number, real → number), no
 * entity hydration. The statement is shown to the DataSource's subscribers (beforeQuery) like
 * every other, so a test counting round trips or looking for writes still sees it.
 */
export async function queryPrepared<R extends QueryResultRow>(ds: DataSource, statement: PreparedStatement, values: readonly unknown[]): Promise<R[]> {
  const parameters = [...values];
  for (const subscriber of ds.subscribers as EntitySubscriberInterface[]) {
    // No query runner: the statement runs on a pooled connection of its own.
    const queryRunner = undefined as unknown as QueryRunner;
    subscriber.beforeQuery?.({ dataSource: ds, connection: ds, queryRunner, manager: ds.manager, query: statement.text, parameters });
  }
  const result = await poolOf(ds).query<R>({ name: statement.name, text: statement.text, values: parameters });
  return result.rows;
}

import { DataSource, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import type { Pool, QueryResultRow } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * A named SQL statement for a hot read. PostgreSQL parses and plans it once per connection (the
 * first time a connection runs it) instead of once per call; the name is the statement's identity
 * on every pooled connection, so one name must always mean one text.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

const known = new Map<string, string>();

/** Declares a named statement; a second text under the same name is a bug, refused at load. */
export function prepared(name: string, text: string): PreparedStatement {
  const before = known.get(name);
  if (before !== undefined && before !== text) throw new Error(`prepared statement ${name} declared twice with different text`);
  known.set(name, text);
  return { name, text };
}

/**
 * Runs named statements on the pg pool underneath TypeORM: one round trip, rows as pg parses them
 * (timestamptz → Date, int → number, real → number), no entity hydration. For the hot reads only
 * (the expert feed, search, a request, a request's bids); the ORM stays for writes and the rest.
 * Statements are shown to the DataSource's subscribers (beforeQuery) like every other, so a test
 * counting round trips or looking for writes still sees them.
 */
export async function queryPrepared<R extends QueryResultRow>(ds: DataSource, statement: PreparedStatement, values: unknown[]): Promise<R[]> {
  for (const subscriber of ds.subscribers as EntitySubscriberInterface[]) {
    // No query runner: the statement runs on a pooled connection of its own, outside any transaction.
    const queryRunner = undefined as unknown as QueryRunner;
    subscriber.beforeQuery?.({ dataSource: ds, connection: ds, queryRunner, manager: ds.manager, query: statement.text, parameters: values });
  }
  const pool = (ds.driver as PostgresDriver).master as Pool;
  const result = await pool.query<R>({ name: statement.name, text: statement.text, values });
  return result.rows;
}

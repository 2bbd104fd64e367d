import type { Client } from 'pg';

interface Definition {
  table: string;
  name: string;
  /** A statement that re-creates it, from the catalogue (so later migrations are covered too). */
  create: string;
}

/**
 * Everything that makes a row insert slow, on the tables about to be loaded: their keys and
 * unique constraints, every other index, and the foreign keys into or out of them. Read from
 * pg_constraint and pg_indexes, never by name, so the indexes other branches add by migration
 * (feed, search) are dropped and rebuilt the same way.
 */
async function definitionsOf(db: Client, tables: string[]) {
  const constraint = (kinds: string, where: string) =>
    db.query<Definition>(
      `SELECT c.conrelid::regclass::text AS table, c.conname AS name,
              format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) AS create
       FROM pg_constraint c
       WHERE c.contype = ANY($2::"char"[]) AND (${where})
       ORDER BY c.conrelid::regclass::text, c.conname`,
      [tables, kinds.split('')],
    );
  const keys = await constraint('pux', `c.conrelid = ANY($1::text[]::regclass[])`);
  const foreign = await constraint('f', `c.conrelid = ANY($1::text[]::regclass[]) OR c.confrelid = ANY($1::text[]::regclass[])`);
  const indexes = await db.query<Definition>(
    `SELECT i.tablename AS table, i.indexname AS name, i.indexdef AS create FROM pg_indexes i
     WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)
     ORDER BY i.tablename, i.indexname`,
    [tables],
  );
  return { keys: keys.rows, indexes: indexes.rows, foreign: foreign.rows };
}

/**
 * Loads `tables` the way a bulk load should go, in one transaction: drop their foreign keys,
 * keys and indexes; TRUNCATE (a fresh file, so with wal_level=minimal the rows skip the WAL);
 * insert; then build each key and index once, sorted, and re-add the foreign keys, which
 * PostgreSQL validates with one join per key instead of a trigger per row. Triggers the schema
 * defines (the search vector) still run. `timed` reports each table's rebuild time.
 */
export async function bulkLoad(
  db: Client,
  tables: string[],
  load: () => Promise<void>,
  timed: (label: string, statements: string[]) => Promise<void>,
): Promise<void> {
  await db.query('BEGIN');
  try {
    const { keys, indexes, foreign } = await definitionsOf(db, tables);
    for (const f of foreign) await db.query(`ALTER TABLE ${f.table} DROP CONSTRAINT "${f.name}"`);
    for (const k of keys) await db.query(`ALTER TABLE ${k.table} DROP CONSTRAINT "${k.name}"`);
    for (const i of indexes) await db.query(`DROP INDEX "${i.name}"`);
    await db.query(`TRUNCATE ${tables.join(', ')}`);
    await load();
    for (const table of tables) {
      const own = [...keys, ...indexes].filter((d) => d.table === table || d.table === `"${table}"`);
      await timed(`${table} indexes (${own.length})`, own.map((d) => d.create));
    }
    await timed(`foreign keys (${foreign.length})`, foreign.map((f) => f.create));
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

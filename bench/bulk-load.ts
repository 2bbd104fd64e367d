import type { Client } from 'pg';

interface Definition {
  table: string;
  name: string;
  /** A statement that re-creates it, from the catalogue (so later migrations are covered too). */
  create: string;
}

interface Key extends Definition {
  /** The key's index on its own (CREATE UNIQUE INDEX ...), when the key can adopt it afterwards. */
  index?: string;
  /** ALTER TABLE ... ADD CONSTRAINT ... USING INDEX, which takes the built index as the key. */
  adopt?: string;
}

/** What a bulk load drops from its tables and puts back afterwards. */
export interface Dropped {
  tables: string[];
  keys: Key[];
  indexes: Definition[];
  foreign: Definition[];
}

/**
 * Everything that makes a row insert slow, on the tables about to be loaded: their keys and
 * unique constraints, every other index, and the foreign keys into or out of them. Read from
 * pg_constraint and pg_indexes, never by name, so the indexes other branches add by migration
 * (feed, search) are dropped and rebuilt the same way. Dropped and committed in one transaction.
 */
export async function dropForLoad(db: Client, tables: string[]): Promise<Dropped> {
  const keys = await db.query<Key & { kind: string; plain: boolean }>(
    `SELECT c.conrelid::regclass::text AS table, c.conname AS name, c.contype AS kind,
            format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) AS create,
            pg_get_indexdef(c.conindid) AS index,
            -- USING INDEX takes only a plain, immediate key over plain columns
            c.contype IN ('p', 'u') AND NOT c.condeferrable AND pg_get_constraintdef(c.oid) !~ ' (INCLUDE|WITH|USING|NULLS) ' AS plain
     FROM pg_constraint c
     WHERE c.contype IN ('p', 'u', 'x') AND c.conrelid = ANY($1::text[]::regclass[])
     ORDER BY 1, 2`,
    [tables],
  );
  const foreign = await db.query<Definition>(
    `SELECT c.conrelid::regclass::text AS table, c.conname AS name,
            format('ALTER TABLE %s ADD CONSTRAINT %I %s NOT VALID', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) AS create
     FROM pg_constraint c
     WHERE c.contype = 'f' AND (c.conrelid = ANY($1::text[]::regclass[]) OR c.confrelid = ANY($1::text[]::regclass[]))
     ORDER BY 1, 2`,
    [tables],
  );
  const indexes = await db.query<Definition>(
    `SELECT i.tablename AS table, i.indexname AS name, i.indexdef AS create FROM pg_indexes i
     WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)
     ORDER BY 1, 2`,
    [tables],
  );
  await db.query('BEGIN');
  try {
    for (const f of foreign.rows) await db.query(`ALTER TABLE ${f.table} DROP CONSTRAINT "${f.name}"`);
    for (const k of keys.rows) await db.query(`ALTER TABLE ${k.table} DROP CONSTRAINT "${k.name}"`);
    for (const i of indexes.rows) await db.query(`DROP INDEX "${i.name}"`);
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return {
    tables,
    keys: keys.rows.map(({ kind, plain, ...k }) =>
      plain ? { ...k, adopt: `ALTER TABLE ${k.table} ADD CONSTRAINT "${k.name}" ${kind === 'p' ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX "${k.name}"` } : { ...k, index: undefined },
    ),
    indexes: indexes.rows,
    foreign: foreign.rows,
  };
}

/**
 * Fills `tables` in one transaction that first truncates them: the rows land in a file created
 * in that transaction, which at wal_level=minimal skips the WAL. Tables that already hold rows
 * (a migration's) are not truncated; their new rows are logged as usual.
 */
export async function loadInOneTransaction(db: Client, tables: string[], load: () => Promise<void>): Promise<void> {
  await db.query('BEGIN');
  try {
    const empty = [];
    for (const t of tables) if (!(await db.query(`SELECT 1 FROM ${t} LIMIT 1`)).rowCount) empty.push(t);
    if (empty.length) await db.query(`TRUNCATE ${empty.join(', ')}`);
    await load();
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Runs tasks on the given sessions, each session taking the next task as it finishes one. */
export async function inParallel(sessions: Client[], tasks: Array<(db: Client) => Promise<void>>): Promise<void> {
  let next = 0;
  await Promise.all(sessions.map(async (db) => {
    while (next < tasks.length) await tasks[next++](db);
  }));
}

/**
 * Puts back what dropForLoad took, on all `sessions` at once (index builds on one table share
 * its lock): every index, keys' included, biggest table first; keys adopt their index; foreign
 * keys are added NOT VALID and then validated, one join per key instead of a trigger per row.
 * Logs one line per table: the seconds its indexes and its foreign keys took (summed over sessions).
 */
export async function rebuild(sessions: Client[], dropped: Dropped, log: (line: string) => void): Promise<void> {
  const sizes = await sessions[0].query<{ table: string; bytes: string }>(
    `SELECT t AS table, pg_relation_size(t::regclass) AS bytes FROM unnest($1::text[]) t`,
    [dropped.tables],
  );
  const size = (t: string) => Number(sizes.rows.find((r) => r.table === t)?.bytes ?? 0);
  const bySize = [...dropped.tables].sort((a, b) => size(b) - size(a));
  const spent = new Map<string, { indexes: number; indexMs: number; foreign: number; foreignMs: number }>(
    [...bySize, 'others'].map((t) => [t, { indexes: 0, indexMs: 0, foreign: 0, foreignMs: 0 }]),
  );
  const timed = (table: string, kind: 'index' | 'foreign', sql: string) => async (db: Client) => {
    const started = Date.now();
    await db.query(sql);
    const s = spent.get(table)!;
    if (kind === 'index') {
      s.indexes++;
      s.indexMs += Date.now() - started;
    } else {
      s.foreign++;
      s.foreignMs += Date.now() - started;
    }
  };
  const own = (table: string) => (d: { table: string }) => d.table === table || d.table === `"${table}"`;
  await inParallel(
    sessions,
    bySize.flatMap((table) => [
      ...dropped.keys.filter(own(table)).map((k) => timed(table, 'index', k.index ?? k.create)),
      ...dropped.indexes.filter(own(table)).map((i) => timed(table, 'index', i.create)),
    ]),
  );
  for (const k of dropped.keys.filter((k) => k.index)) await sessions[0].query(k.adopt!);
  for (const f of dropped.foreign) await sessions[0].query(f.create);
  // Two validations of one table queue for its lock, so take one key per table in turn; tables
  // outside the load (escrows, messages...) are empty here, so theirs are quick.
  const perTable = [...bySize, 'others'].map((table) =>
    dropped.foreign
      .filter((f) => (table === 'others' ? !dropped.tables.some((t) => own(t)(f)) : own(table)(f)))
      .map((f) => timed(table, 'foreign', `ALTER TABLE ${f.table} VALIDATE CONSTRAINT "${f.name}"`)),
  );
  const rounds = Math.max(...perTable.map((t) => t.length));
  await inParallel(sessions, Array.from({ length: rounds }, (_, i) => perTable.flatMap((t) => t.slice(i, i + 1))).flat());
  for (const [table, s] of spent) {
    if (!s.indexes && !s.foreign) continue;
    log(`  ${`${table}: ${s.indexes} indexes, ${s.foreign} foreign keys`.padEnd(48)} ${(s.indexMs / 1000).toFixed(1).padStart(6)} s + ${(s.foreignMs / 1000).toFixed(1)} s`);
  }
}

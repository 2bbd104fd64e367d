import { DataSource } from 'typeorm';

export interface SchemaStatement {
  query: string;
  parameters?: unknown[];
}

export interface SchemaDiff {
  up: SchemaStatement[];
  down: SchemaStatement[];
}

/**
 * What TypeORM would change to make the database match the entities — the same computation
 * `migration:generate` uses. Empty on a migrated database means entities and migrations agree.
 */
export async function schemaDiff(ds: DataSource): Promise<SchemaDiff> {
  const sql = await ds.driver.createSchemaBuilder().log();
  const plain = (q: { query: string; parameters?: unknown[] }): SchemaStatement =>
    q.parameters?.length ? { query: q.query, parameters: q.parameters } : { query: q.query };
  return { up: sql.upQueries.map(plain), down: sql.downQueries.map(plain).reverse() };
}

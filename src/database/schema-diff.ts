import { DataSource } from 'typeorm';

export interface SchemaDiff {
  up: string[];
  down: string[];
}

/**
 * What TypeORM would change to make the database match the entities — the same computation
 * `migration:generate` uses. Empty on a migrated database means entities and migrations agree.
 */
export async function schemaDiff(ds: DataSource): Promise<SchemaDiff> {
  const sql = await ds.driver.createSchemaBuilder().log();
  return {
    up: sql.upQueries.map((q) => q.query),
    down: sql.downQueries.map((q) => q.query).reverse(),
  };
}

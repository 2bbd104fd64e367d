import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * A raw row (column names, as `RETURNING *` or `SELECT *` give it) as the entity TypeORM would
 * load, so a write can return its result in the same statement instead of a second SELECT.
 * With `prefix`, the row's columns are `<prefix><column>` (see selectList). Columns the entity
 * does not select by default (`select: false`) are left out, as find() does.
 */
export function hydrate<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, row: Record<string, unknown>, prefix = ''): T {
  const metadata = em.connection.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    const key = prefix + column.databaseName;
    if (!column.isSelect || !(key in row)) continue;
    column.setEntityValue(entity, em.connection.driver.prepareHydratedValue(row[key], column));
  }
  return entity;
}

/** `alias.col AS "<prefix>col", ...` for every selected column of an entity: two entities in one row. */
export function selectList(em: EntityManager, target: EntityTarget<ObjectLiteral>, alias: string, prefix: string): string {
  return em.connection
    .getMetadata(target)
    .columns.filter((c) => c.isSelect)
    .map((c) => `${alias}.${c.databaseName} AS "${prefix}${c.databaseName}"`)
    .join(', ');
}

/** The database column of an entity's property (for SET lists built from a changes object). */
export function columnOf(em: EntityManager, target: EntityTarget<ObjectLiteral>, property: string): string {
  const column = em.connection.getMetadata(target).findColumnWithPropertyName(property);
  if (!column) throw new Error(`no column for property ${property}`);
  return column.databaseName;
}

/** The rows of an UPDATE ... RETURNING through em.query (TypeORM's postgres driver answers [rows, count]). */
export function updatedRows(result: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as Array<Record<string, unknown>>;
  }
  return result as Array<Record<string, unknown>>;
}

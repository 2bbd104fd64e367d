import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { CursorCodec } from './cursor.codec';
import { Page, SortDirection, toPage } from './keyset';

export interface KeysetOptions {
  /** The sort key, `alias.property` (e.g. `r.createdAt`); must be NOT NULL. */
  sort: string;
  /** The unique tie-breaker, `alias.property` (e.g. `r.id`). */
  id: string;
  direction: SortDirection;
  limit: number;
  cursor?: string;
  /** Names the list and its order (e.g. `requests:createdAt:desc`); a cursor of another list is refused. */
  scope: string;
}

const SORT_ALIAS = 'keyset_sort';
const ID_ALIAS = 'keyset_id';

/**
 * Keyset pagination on a query builder (P3): orders by (sort, id), continues strictly after the
 * cursor with a row comparison — `(sort, id) > (:s, :id)`, `<` descending — that an index on
 * (sort, id) serves, and fetches limit + 1 rows to learn whether more follow.
 *
 * The cursor keeps the sort key as PostgreSQL prints it (`::text`), not as a JS value: a Date
 * would drop a timestamptz's microseconds, and the last row of a page would come back on the next.
 * Filters must already be on `qb`. Not for queries with to-many joins (rows ≠ entities).
 */
export async function paginate<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  codec: CursorCodec,
  options: KeysetOptions,
): Promise<Page<T>> {
  const { sort, id, direction, limit, cursor, scope } = options;
  if (cursor !== undefined) {
    const after = codec.decode(cursor, scope);
    const op = direction === 'ASC' ? '>' : '<';
    qb.andWhere(`(${sort}, ${id}) ${op} (:keysetSort, :keysetId)`, { keysetSort: after.sort, keysetId: after.id });
  }
  qb.addSelect(`(${sort})::text`, SORT_ALIAS)
    .addSelect(`(${id})::text`, ID_ALIAS)
    .orderBy(sort, direction)
    .addOrderBy(id, direction)
    .limit(limit + 1);
  const { entities, raw } = await qb.getRawAndEntities();
  if (entities.length !== raw.length) throw new Error('paginate(): rows and entities differ; to-many joins are not supported');
  const rows = entities.map((entity, index) => ({ entity, raw: raw[index] as Record<string, string> }));
  return toPage(
    rows,
    limit,
    (row) => row.entity,
    (row) => codec.encode({ sort: row.raw[SORT_ALIAS], id: row.raw[ID_ALIAS] }, scope),
  );
}

/** Maps a page of entities to response objects, keeping hasMore and nextCursor. */
export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { data: page.data.map(map), hasMore: page.hasMore, nextCursor: page.nextCursor };
}

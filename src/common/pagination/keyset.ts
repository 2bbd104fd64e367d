/**
 * Keyset pagination in plain TypeScript: the rule the SQL in paginate.ts applies, kept here so it
 * can be checked as a property (P3) without a database.
 */
export type SortDirection = 'ASC' | 'DESC';

export interface Page<T> {
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

/** Compares (sort, id) pairs lexicographically, the way PostgreSQL compares row values. */
export function compareKeys<S>(a: { sort: S; id: string }, b: { sort: S; id: string }, compareSort: (x: S, y: S) => number): number {
  const bySort = compareSort(a.sort, b.sort);
  if (bySort !== 0) return bySort;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Whether `item` comes after the cursor in the list's order: `(sort, id) > cursor`, or `<` descending. */
export function isAfter<S>(
  item: { sort: S; id: string },
  cursor: { sort: S; id: string },
  direction: SortDirection,
  compareSort: (x: S, y: S) => number,
): boolean {
  const c = compareKeys(item, cursor, compareSort);
  return direction === 'ASC' ? c > 0 : c < 0;
}

/**
 * Cuts `limit + 1` fetched rows into a page: the extra row only says there is more. The cursor
 * names the last row shown, so rows inserted before it are never shown twice and rows after it
 * are never skipped, whatever is inserted meanwhile.
 */
export function toPage<R, T>(rows: R[], limit: number, toItem: (row: R) => T, toCursor: (row: R) => string): Page<T> {
  const hasMore = rows.length > limit;
  const shown = hasMore ? rows.slice(0, limit) : rows;
  return {
    data: shown.map(toItem),
    hasMore,
    nextCursor: hasMore ? toCursor(shown[shown.length - 1]) : null,
  };
}

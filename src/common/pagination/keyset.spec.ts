import fc from 'fast-check';
import { compareKeys, isAfter, Page, SortDirection, toPage } from './keyset';

interface Item {
  sort: number;
  id: string;
}

const bySort = (a: number, b: number) => a - b;

/** What paginate() asks PostgreSQL for, over an in-memory table. */
function fetchPage(table: Item[], cursor: string | null, limit: number, direction: SortDirection): Page<Item> {
  const after = cursor ? (JSON.parse(cursor) as Item) : undefined;
  const rows = table
    .filter((item) => !after || isAfter(item, after, direction, bySort))
    .sort((a, b) => (direction === 'ASC' ? compareKeys(a, b, bySort) : compareKeys(b, a, bySort)))
    .slice(0, limit + 1);
  return toPage(rows, limit, (row) => row, (row) => JSON.stringify({ sort: row.sort, id: row.id }));
}

describe('keyset pagination', () => {
  it('toPage: limit + 1 rows → hasMore and a cursor on the last row shown; fewer → last page', () => {
    const rows = [1, 2, 3].map((n) => ({ sort: n, id: `id${n}` }));
    expect(toPage(rows, 2, (r) => r.id, (r) => r.id)).toEqual({ data: ['id1', 'id2'], hasMore: true, nextCursor: 'id2' });
    expect(toPage(rows, 3, (r) => r.id, (r) => r.id)).toEqual({ data: ['id1', 'id2', 'id3'], hasMore: false, nextCursor: null });
    expect(toPage([], 3, (r) => r, () => 'x')).toEqual({ data: [], hasMore: false, nextCursor: null });
  });

  it('P3 inserts while paging never duplicate or drop an item (ties on the sort key included)', () => {
    const plan = fc.uniqueArray(
      // `when`: 0 = there before the first page, k = inserted after the k-th page was read.
      fc.record({ sort: fc.integer({ min: 0, max: 5 }), id: fc.uuid(), when: fc.nat({ max: 8 }) }),
      { selector: (item) => item.id, maxLength: 80 },
    );
    fc.assert(
      fc.property(plan, fc.integer({ min: 1, max: 7 }), fc.constantFrom<SortDirection>('ASC', 'DESC'), (items, limit, direction) => {
        const table: Item[] = items.filter((i) => i.when === 0).map(({ sort, id }) => ({ sort, id }));
        const mustSee = new Set(table.map((i) => i.id));
        const mustNotSee = new Set<string>();
        const seen: Item[] = [];
        let cursor: string | null = null;
        for (let pageNo = 1; ; pageNo++) {
          const page = fetchPage(table, cursor, limit, direction);
          expect(page.data.length).toBeLessThanOrEqual(limit);
          seen.push(...page.data);
          cursor = page.nextCursor;
          if (!page.hasMore) break;
          expect(page.data).toHaveLength(limit);
          const position = JSON.parse(cursor!) as Item;
          for (const { sort, id } of items.filter((i) => i.when === pageNo)) {
            table.push({ sort, id });
            // Ahead of the cursor: the next pages must show it; behind: they must not.
            (isAfter({ sort, id }, position, direction, bySort) ? mustSee : mustNotSee).add(id);
          }
          expect(pageNo).toBeLessThanOrEqual(items.length + 1);
        }
        const ids = seen.map((i) => i.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of mustSee) expect(ids).toContain(id);
        for (const id of mustNotSee) expect(ids).not.toContain(id);
        for (let i = 1; i < seen.length; i++) {
          const order = compareKeys(seen[i - 1], seen[i], bySort);
          expect(direction === 'ASC' ? order < 0 : order > 0).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

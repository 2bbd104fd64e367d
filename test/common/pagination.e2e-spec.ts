import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { DomainError } from '../../src/common/errors/domain-error';
import { CursorCodec } from '../../src/common/pagination/cursor.codec';
import { SortDirection } from '../../src/common/pagination/keyset';
import { paginate } from '../../src/common/pagination/paginate';
import { createTestDatabase } from '../support/test-app';

/** A throwaway table, only in this file's database: the app's own lists are not needed for P3. */
@Entity('p3_items')
class P3Item {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'int' })
  run!: number;
}

const codec = new CursorCodec('test-secret-test-secret-test-secret-0123456789');
const BASE = '2026-03-01T00:00:00Z';

describe('keyset pagination on PostgreSQL (P3, V3)', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = await new DataSource({ type: 'postgres', url: await createTestDatabase(), entities: [P3Item], extra: { max: 4 } }).initialize();
    // fast-check reuses ids while shrinking, so an id is unique per run only.
    await ds.query(`CREATE TABLE p3_items (id uuid NOT NULL, created_at timestamptz NOT NULL, run int NOT NULL, PRIMARY KEY (run, id))`);
    await ds.query(`CREATE INDEX ON p3_items (run, created_at, id)`);
  });
  afterAll(() => ds?.destroy());

  /** `offsetMicros` from BASE: microseconds, so rows differ below JavaScript's millisecond Dates. */
  const insert = (run: number, id: string, offsetMicros: number) =>
    ds.query(`INSERT INTO p3_items (id, created_at, run) VALUES ($1, $2::timestamptz + make_interval(secs => $3::float8 / 1e6), $4)`, [
      id, BASE, offsetMicros, run,
    ]);

  const page = (run: number, direction: SortDirection, limit: number, cursor?: string) =>
    paginate(ds.getRepository(P3Item).createQueryBuilder('i').where('i.run = :run', { run }), codec, {
      sort: 'i.createdAt', id: 'i.id', direction, limit, cursor, scope: 'p3:createdAt',
    });

  it('P3 rows one microsecond apart (same millisecond) are each shown once, in order', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await insert(1, ids[0], 1000); // .001000
    await insert(1, ids[1], 1001); // .001001
    await insert(1, ids[2], 1002); // .001002
    const shown: string[] = [];
    let cursor: string | undefined;
    do {
      const p = await page(1, 'ASC', 1, cursor);
      shown.push(...p.data.map((i) => i.id));
      cursor = p.nextCursor ?? undefined;
      expect(shown.length).toBeLessThanOrEqual(ids.length);
    } while (cursor);
    expect(shown).toEqual(ids);
  });

  it('P3 inserts while paging never duplicate or drop a row (fast-check, both directions)', async () => {
    let run = 100;
    await fc.assert(
      fc.asyncProperty(
        // offset: few distinct values so ties on created_at are common; `when` as in the unit model.
        fc.uniqueArray(fc.record({ offset: fc.integer({ min: 0, max: 6 }), id: fc.uuid(), when: fc.nat({ max: 5 }) }), {
          selector: (r) => r.id, maxLength: 30,
        }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom<SortDirection>('ASC', 'DESC'),
        async (rows, limit, direction) => {
          run++;
          const offsetOf = new Map(rows.map((r) => [r.id, r.offset]));
          for (const r of rows.filter((r) => r.when === 0)) await insert(run, r.id, r.offset);
          const mustSee = new Set(rows.filter((r) => r.when === 0).map((r) => r.id));
          const shown: string[] = [];
          let cursor: string | undefined;
          for (let pageNo = 1; ; pageNo++) {
            const p = await page(run, direction, limit, cursor);
            shown.push(...p.data.map((i) => i.id));
            if (!p.hasMore) break;
            cursor = p.nextCursor!;
            const last = p.data[p.data.length - 1];
            const lastOffset = offsetOf.get(last.id)!;
            for (const r of rows.filter((r) => r.when === pageNo)) {
              await insert(run, r.id, r.offset);
              // Ahead of the cursor (in microseconds, then id): the following pages must show it.
              const ahead = direction === 'ASC'
                ? r.offset > lastOffset || (r.offset === lastOffset && r.id > last.id)
                : r.offset < lastOffset || (r.offset === lastOffset && r.id < last.id);
              if (ahead) mustSee.add(r.id);
            }
            expect(pageNo).toBeLessThanOrEqual(rows.length + 1);
          }
          expect(new Set(shown).size).toBe(shown.length);
          for (const id of mustSee) expect(shown).toContain(id);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('V3 a tampered cursor, or one of another list, → invalid_cursor', async () => {
    const id = randomUUID();
    await insert(2, id, 0);
    await insert(2, randomUUID(), 5);
    const first = await page(2, 'DESC', 1);
    expect(first.hasMore).toBe(true);
    const [payload, signature] = first.nextCursor!.split('.');
    const edited = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('"k":"p3', '"k":"p4')).toString('base64url');
    for (const bad of [`${edited}.${signature}`, `${payload}.${signature.slice(1)}A`, 'nonsense']) {
      await expect(page(2, 'DESC', 1, bad)).rejects.toBeInstanceOf(DomainError);
      await expect(page(2, 'DESC', 1, bad)).rejects.toMatchObject({ code: 'invalid_cursor' });
    }
  });
});

import { EntityManager } from 'typeorm';
import { withTransaction } from '../../src/database/transaction';
import { createTestApp, TestApp } from '../support/test-app';

/** C5: the one transaction helper every service uses retries serialization failures and deadlocks. */
describe('withTransaction', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.ds.query(`CREATE TABLE tx_counter (id int PRIMARY KEY, n int NOT NULL)`);
    await t.ds.query(`INSERT INTO tx_counter VALUES (1, 0), (2, 0)`);
  });
  afterAll(() => t.close());

  const barrier = (parties: number) => {
    let waiting = 0;
    let release!: () => void;
    const all = new Promise<void>((r) => (release = r));
    return async () => {
      waiting += 1;
      if (waiting === parties) release();
      await all;
    };
  };

  it('C5 retries a serialization failure (40001) until both increments land', async () => {
    let attempts = 0;
    const meet = barrier(2);
    const increment = () =>
      withTransaction(
        t.ds,
        async (em: EntityManager) => {
          attempts += 1;
          const [{ n }] = await em.query(`SELECT n FROM tx_counter WHERE id = 1`);
          if (attempts <= 2) await meet(); // both read before either writes, on the first try
          await em.query(`UPDATE tx_counter SET n = $1 WHERE id = 1`, [n + 1]);
        },
        { isolation: 'SERIALIZABLE' },
      );
    await Promise.all([increment(), increment()]);
    const [{ n }] = await t.ds.query(`SELECT n FROM tx_counter WHERE id = 1`);
    expect(n).toBe(2);
    expect(attempts).toBeGreaterThan(2);
  });

  it('C5 retries a deadlock (40P01) instead of surfacing it', async () => {
    let attempts = 0;
    const meet = barrier(2);
    const lockBoth = (first: number, second: number) =>
      withTransaction(t.ds, async (em) => {
        attempts += 1;
        await em.query(`UPDATE tx_counter SET n = n + 1 WHERE id = $1`, [first]);
        if (attempts <= 2) await meet();
        await em.query(`UPDATE tx_counter SET n = n + 1 WHERE id = $1`, [second]);
      });
    await Promise.all([lockBoth(1, 2), lockBoth(2, 1)]);
    const rows: Array<{ id: number; n: number }> = await t.ds.query(`SELECT id, n FROM tx_counter ORDER BY id`);
    expect(rows.map((r) => r.n)).toEqual([4, 2]);
    expect(attempts).toBe(3);
  });

  it('does not retry other errors', async () => {
    let attempts = 0;
    await expect(
      withTransaction(t.ds, async (em) => {
        attempts += 1;
        await em.query(`INSERT INTO tx_counter VALUES (1, 0)`);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(attempts).toBe(1);
  });
});

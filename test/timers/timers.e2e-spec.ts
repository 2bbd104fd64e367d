import { Client } from 'pg';
import { RequestLifecycle, TIMER_JOBS } from '../../src/requests/request-lifecycle.service';

const EXPIRE_JOB = TIMER_JOBS.expire;
const PAYMENT_WINDOW_JOB = TIMER_JOBS.payment_window_lapse;
import { acceptBid, createProfile, placeBid, postRequest, registerUser, TestUser } from '../support/factories';
import { eventTypes, statusOf } from '../support/inspect';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const HOUR = 3_600_000;
jest.setTimeout(60_000);


type Db = { query: (sql: string, params?: unknown[]) => Promise<unknown> };

/** Makes the request's bidding close already past, and its expiry jobs due now. */
async function makeExpiryDue(db: Db, requestIds: string[]): Promise<void> {
  await db.query(`UPDATE help_requests SET bidding_closes_at = now() - interval '1 second' WHERE id = ANY($1)`, [requestIds]);
  await db.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND data->>'requestId' = ANY($2)`, [EXPIRE_JOB, requestIds]);
}

/** The request timers on pg-boss (C4, R7-style): they fire, once, across processes and restarts, and never early. */
describe('request timers', () => {
  describe('on one server', () => {
    let t: TestApp;
    let customer: TestUser;
    let expert: TestUser;
    let expert2: TestUser;
    beforeAll(async () => {
      t = await createTestApp();
      [customer, expert, expert2] = await Promise.all([registerUser(t, 'customer'), registerUser(t, 'expert'), registerUser(t, 'expert')]);
    });
    afterAll(() => t.close());

    const get = (id: string) => t.http.get(`/v1/requests/${id}`).set('authorization', customer.auth).expect(200);

    it('bidding close: the pg-boss job fires → expired, live bids rejected (bid.rejected), one request.expired event', async () => {
      const r = await postRequest(t, customer);
      expect(r.nextAutomaticTransition).toEqual({ name: 'expire', at: r.biddingClosesAt });
      const bid = await placeBid(t, expert, r.id);
      await makeExpiryDue(t.ds, [r.id]);
      await waitFor('expiry', async () => (await statusOf(t, r.id)) === 'expired');
      const after = (await get(r.id)).body;
      expect(after).toMatchObject({ status: 'expired', nextAutomaticTransition: null });
      expect((await t.ds.query(`SELECT status FROM bids WHERE id = $1`, [bid.id]))[0].status).toBe('rejected');
      expect(await eventTypes(t, r.id)).toEqual(['request.created', 'bid.created', 'request.expired', 'bid.rejected']);
      const [rejected] = await t.ds.query(`SELECT expert_id, payload FROM events WHERE request_id = $1 AND type = 'bid.rejected'`, [r.id]);
      expect(rejected).toMatchObject({ expert_id: expert.id, payload: { id: bid.id, status: 'rejected' } });
      const [job] = await t.ds.query(`SELECT state FROM pgboss.job WHERE name = $1 AND data->>'requestId' = $2`, [EXPIRE_JOB, r.id]);
      expect(job.state).toBe('completed');
    });

    it('an early job (the close moved later by PATCH) does nothing; the new job expires it later', async () => {
      const r = await postRequest(t, customer, { biddingClosesAt: new Date(Date.now() + 2 * HOUR).toISOString() });
      const later = new Date(Date.now() + 5 * HOUR).toISOString();
      const patched = await t.http.patch(`/v1/requests/${r.id}`).set('authorization', customer.auth).send({ biddingClosesAt: later }).expect(200);
      expect(patched.body.nextAutomaticTransition).toEqual({ name: 'expire', at: later });
      const oldKey = `${r.id}:${r.biddingClosesAt as string}`;
      await t.ds.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND singleton_key = $2`, [EXPIRE_JOB, oldKey]);
      await waitFor('the early job to run', async () => {
        const [job] = await t.ds.query(`SELECT state FROM pgboss.job WHERE name = $1 AND singleton_key = $2`, [EXPIRE_JOB, oldKey]);
        return job.state === 'completed';
      });
      expect((await get(r.id)).body).toMatchObject({ status: 'open', nextAutomaticTransition: { name: 'expire', at: later } });
      expect(await eventTypes(t, r.id)).toEqual(['request.created', 'request.updated']);
      // Called directly before its time, the handler refuses as well.
      expect(await t.app.get(RequestLifecycle).fireTimer('expire', r.id, new Date(Date.parse(later) - 1000))).toBe(false);

      await makeExpiryDue(t.ds, [r.id]);
      await waitFor('expiry by the new job', async () => (await statusOf(t, r.id)) === 'expired');
      expect(await eventTypes(t, r.id)).toEqual(['request.created', 'request.updated', 'request.expired']);
    });

    it('payment-window lapse: the job fires → open again, the accepted bid active again, expiry rescheduled', async () => {
      await createProfile(t, expert);
      const load = async () => (await t.ds.query(`SELECT active_jobs FROM expert_profiles WHERE user_id = $1`, [expert.id]))[0].active_jobs as number;
      const loadBefore = await load();
      const r = await postRequest(t, customer);
      const winner = await placeBid(t, expert, r.id);
      const other = await placeBid(t, expert2, r.id);
      const accepted = await acceptBid(t, customer, winner.id);
      expect(await load()).toBe(loadBefore + 1);
      const acceptedAt = (await t.ds.query(`SELECT accepted_at FROM help_requests WHERE id = $1`, [r.id]))[0].accepted_at as Date;
      const windowEnds = new Date(acceptedAt.getTime() + 24 * HOUR).toISOString();
      expect(accepted.request.nextAutomaticTransition).toEqual({ name: 'payment_window_lapse', at: windowEnds });
      const [job] = await t.ds.query(`SELECT start_after FROM pgboss.job WHERE name = $1 AND data->>'requestId' = $2`, [PAYMENT_WINDOW_JOB, r.id]);
      expect(new Date(job.start_after).toISOString()).toBe(windowEnds);

      await t.ds.query(`UPDATE help_requests SET accepted_at = now() - interval '25 hours' WHERE id = $1`, [r.id]);
      await t.ds.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND data->>'requestId' = $2`, [PAYMENT_WINDOW_JOB, r.id]);
      await waitFor('the lapse', async () => (await statusOf(t, r.id)) === 'open');

      const after = (await get(r.id)).body;
      expect(after).toMatchObject({ status: 'open', acceptedBidId: null, nextAutomaticTransition: { name: 'expire', at: r.biddingClosesAt } });
      const bids = await t.ds.query(`SELECT id, status FROM bids WHERE request_id = $1`, [r.id]);
      expect(Object.fromEntries(bids.map((b: { id: string; status: string }) => [b.id, b.status]))).toEqual({
        [winner.id]: 'active',
        [other.id]: 'active',
      });
      const tail = await t.ds.query(`SELECT type, expert_id, payload FROM events WHERE request_id = $1 ORDER BY sequence DESC LIMIT 2`, [r.id]);
      expect(tail.reverse().map((e: { type: string; expert_id: string | null; payload: { status: string } }) => [e.type, e.payload.status, e.expert_id])).toEqual([
        ['request.updated', 'open', null],
        ['bid.updated', 'active', expert.id],
      ]);
      expect(await load()).toBe(loadBefore); // the job is no longer the expert's load
      // The customer may accept again, another bid this time.
      await acceptBid(t, customer, other.id);
    });

    it('payment-window lapse after bidding has closed → open, then expired by the rescheduled expiry', async () => {
      const r = await postRequest(t, customer);
      const bid = await placeBid(t, expert, r.id);
      await acceptBid(t, customer, bid.id);
      // The original expiry job fires while the request awaits payment and does nothing.
      await makeExpiryDue(t.ds, [r.id]);
      await waitFor('the expiry job to be skipped', async () => {
        const jobs = await t.ds.query(`SELECT state FROM pgboss.job WHERE name = $1 AND data->>'requestId' = $2`, [EXPIRE_JOB, r.id]);
        return jobs.every((j: { state: string }) => j.state === 'completed');
      });
      expect(await statusOf(t, r.id)).toBe('awaiting_payment');

      await t.ds.query(`UPDATE help_requests SET accepted_at = now() - interval '25 hours' WHERE id = $1`, [r.id]);
      await t.ds.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND data->>'requestId' = $2`, [PAYMENT_WINDOW_JOB, r.id]);
      await waitFor('lapse then expiry', async () => (await statusOf(t, r.id)) === 'expired');
      expect((await eventTypes(t, r.id)).slice(-4)).toEqual(['request.updated', 'bid.updated', 'request.expired', 'bid.rejected']);
      expect((await t.ds.query(`SELECT status FROM bids WHERE id = $1`, [bid.id]))[0].status).toBe('rejected');
    });
  });

  describe('C4 across server processes', () => {
    let first: TestApp;
    let second: TestApp;
    beforeAll(async () => {
      first = await createTestApp();
      second = await createTestApp({}, { databaseUrl: first.databaseUrl });
    });
    afterAll(async () => {
      await second?.close();
      await first?.close();
    });

    it('C4 two instances on one database, many requests due at once → each expires exactly once', async () => {
      const customers = await Promise.all([1, 2, 3].map(() => registerUser(first, 'customer')));
      const ids: string[] = [];
      for (const [i, c] of customers.entries()) {
        for (let n = 0; n < 8; n++) ids.push((await postRequest(n % 2 ? first : second, c, { title: `Due request ${i}-${n}` })).id);
      }
      const wins = [first, second].map((app) => {
        const timers = app.app.get(RequestLifecycle);
        const spy = jest.spyOn(timers, 'fireTimer');
        return { spy, count: async () => (await Promise.all(spy.mock.results.map((r) => r.value as Promise<boolean>))).filter(Boolean).length };
      });

      await makeExpiryDue(first.ds, ids);
      await waitFor('all expired', async () => {
        const [{ n }] = await first.ds.query(`SELECT count(*)::int AS n FROM help_requests WHERE id = ANY($1) AND status = 'expired'`, [ids]);
        return n === ids.length;
      });
      // Let any duplicate delivery (a second worker, a retry) have its chance.
      await new Promise((r) => setTimeout(r, 1500));
      const perRequest = await first.ds.query(
        `SELECT r.id, count(e.*)::int AS n FROM help_requests r LEFT JOIN events e ON e.request_id = r.id AND e.type = 'request.expired'
          WHERE r.id = ANY($1) GROUP BY r.id`,
        [ids],
      );
      expect(perRequest).toHaveLength(ids.length);
      for (const row of perRequest) expect(row.n).toBe(1);
      const [a, b] = await Promise.all(wins.map((w) => w.count()));
      expect(a + b).toBe(ids.length);
      for (const w of wins) w.spy.mockRestore();
    });

    it('C4 the handler itself is race-safe: both processes expire the same due request at once → one wins', async () => {
      const c = await registerUser(first, 'customer');
      const ids: string[] = [];
      for (let n = 0; n < 10; n++) ids.push((await postRequest(first, c)).id);
      // Due by the clock, but the queued jobs are not pulled forward: only the direct calls race.
      await first.ds.query(`UPDATE help_requests SET bidding_closes_at = now() - interval '1 second' WHERE id = ANY($1)`, [ids]);
      const [one, two] = [first, second].map((app) => app.app.get(RequestLifecycle));
      for (const id of ids) {
        const outcomes = await Promise.all([one, two, one, two].map((timers) => timers.fireTimer('expire', id)));
        expect(outcomes.filter(Boolean)).toHaveLength(1);
        expect((await eventTypes(first, id)).filter((type) => type === 'request.expired')).toHaveLength(1);
      }
    });
  });

  it('a timer survives a restart: scheduled, server stopped, due while down, fired by the next server', async () => {
    const before = await createTestApp();
    const customer = await registerUser(before, 'customer');
    const r = await postRequest(before, customer);
    const databaseUrl = before.databaseUrl;
    await before.close();

    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      await makeExpiryDue(db, [r.id]);
      const after = await createTestApp({}, { databaseUrl });
      try {
        await waitFor('expiry after restart', async () => (await statusOf(after, r.id)) === 'expired');
        expect(await eventTypes(after, r.id)).toEqual(['request.created', 'request.expired']);
      } finally {
        await after.close();
      }
    } finally {
      await db.end();
    }
  });
});

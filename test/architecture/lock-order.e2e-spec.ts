import { LockOrderError } from '../../src/database/locks';
import { transactionRetries, withTransaction } from '../../src/database/transaction';
import { EscrowLifecycle } from '../../src/payments/escrow-lifecycle.service';
import { RequestLifecycle } from '../../src/requests/request-lifecycle.service';
import { acceptedDeal, autoRelease, Deal, makeReviewDue, pay, resolvedDeal, review } from '../support/deals';
import { makeAdmin, placeBid, postRequest, registerUser, TestUser } from '../support/factories';
import { escrowRow, ledgerReport, ledgerTxnCount, statusOf, transfersOf, waitForEscrow } from '../support/inspect';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(180_000);

/**
 * The one lock order (src/database/locks.ts), proven under the races of RELIABILITY.md: R1 double
 * accept, R2 review + auto-release + admin release, R5 cancel racing funding, R7 two server
 * processes firing one timer. Every path takes its locks in the same order, so none of these
 * needs PostgreSQL to break a deadlock: the transaction retry counter for 40P01 stays where it was,
 * and no path refuses itself for taking a lock out of order (that would be a 500).
 */
describe('one lock order under the racing scenarios', () => {
  let t: TestApp;
  let admin: TestUser;
  let deadlocksBefore: number;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
    deadlocksBefore = transactionRetries['40P01'];
  });
  afterAll(() => t.close());

  it('R1 twenty accepts of one request at once → one winner', async () => {
    const customer = await registerUser(t, 'customer');
    const request = await postRequest(t, customer);
    const experts = await Promise.all(Array.from({ length: 20 }, () => registerUser(t, 'expert')));
    const bids = await Promise.all(experts.map((e) => placeBid(t, e, request.id)));
    const answers = await Promise.all(bids.map((b) => t.http.post(`/v1/bids/${b.id}/accept`).set('authorization', customer.auth)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(19).fill(409)]);
  });

  it('R2 review, the auto-release timer and a dispute settled by an admin, all at once → one release, one Transfer', async () => {
    for (let round = 0; round < 3; round++) {
      const deal = await resolvedDeal(t);
      await makeReviewDue(t, deal.requestId, false);
      const adminPath = async () => {
        const opened = await t.http.post(`/v1/requests/${deal.requestId}/dispute`).set('authorization', deal.customer.auth).send({ reason: 'Racing the release.' });
        if (opened.status !== 201) return opened.status;
        return (await t.http.post(`/v1/admin/disputes/${opened.body.id}/resolve`).set('authorization', admin.auth).send({ outcome: 'release' })).status;
      };
      const answers = await Promise.all([review(t, deal).then((r) => r.status), autoRelease(t, deal.requestId), adminPath()]);
      expect(answers.filter((a) => a === 500)).toEqual([]);
      await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
      expect(await transfersOf(t, deal.requestId)).toHaveLength(1);
      expect(await ledgerTxnCount(t, deal.requestId, 'release')).toBe(1);
    }
  });

  it('R5 cancel racing funding → never cancelled with money held', async () => {
    for (let round = 0; round < 3; round++) {
      const deal: Deal & { clientSecret: string } = await acceptedDeal(t, { onboarded: false });
      const [cancelled] = await Promise.all([
        t.http.post(`/v1/requests/${deal.requestId}/cancel`).set('authorization', deal.customer.auth),
        pay(t, deal.paymentIntentId, deal.clientSecret).catch(() => undefined),
      ]);
      expect([200, 409]).toContain(cancelled.status);
      const escrow = await waitFor('the race to settle', async () => {
        await t.sandbox.webhooksIdle();
        const row = await escrowRow(t, deal.escrowId);
        return ['held', 'refunded', 'cancelled'].includes(row.status as string) ? row : undefined;
      });
      const status = await statusOf(t, deal.requestId);
      expect(status === 'cancelled' && escrow.status === 'held').toBe(false);
    }
  });

  it('R7 two server processes when auto-release is due → one Transfer each', async () => {
    const second = await createTestApp({}, { databaseUrl: t.databaseUrl, shareSandboxWith: t });
    try {
      const deals = [await resolvedDeal(t), await resolvedDeal(t)];
      for (const deal of deals) await makeReviewDue(t, deal.requestId, false);
      await Promise.all(deals.flatMap((d) => [makeReviewDue(t, d.requestId, true), autoRelease(t, d.requestId), autoRelease(second, d.requestId)]));
      for (const deal of deals) {
        await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
        expect(await transfersOf(t, deal.requestId)).toHaveLength(1);
      }
    } finally {
      await second.close();
    }
  });

  it('no deadlock was broken by PostgreSQL, and the ledger is whole', async () => {
    expect(transactionRetries['40P01'] - deadlocksBefore).toBe(0);
    expect((await ledgerReport(t, admin)).ok).toBe(true);
  });

  it('the counter sees a real deadlock: two transactions locking two requests in opposite orders', async () => {
    const customer = await registerUser(t, 'customer');
    const [a, b] = [await postRequest(t, customer), await postRequest(t, customer)];
    const before = transactionRetries['40P01'];
    const lockBoth = (first: string, second: string) =>
      withTransaction(t.ds, async (em) => {
        await em.query(`SELECT 1 FROM help_requests WHERE id = $1 FOR UPDATE`, [first]);
        await em.query(`SELECT pg_sleep(0.3)`);
        await em.query(`SELECT 1 FROM help_requests WHERE id = $1 FOR UPDATE`, [second]);
      });
    await Promise.all([lockBoth(a.id, b.id), lockBoth(b.id, a.id)]);
    expect(transactionRetries['40P01'] - before).toBeGreaterThanOrEqual(1);
  });

  it('a path that takes an escrow before its request is refused before it can deadlock (LockOrderError)', async () => {
    const deal = await acceptedDeal(t, { onboarded: false });
    const attempt = withTransaction(t.ds, async (em) => {
      await t.app.get(EscrowLifecycle).lock(em, deal.escrowId);
      await t.app.get(RequestLifecycle).lock(em, deal.requestId);
    });
    await expect(attempt).rejects.toBeInstanceOf(LockOrderError);
  });
});

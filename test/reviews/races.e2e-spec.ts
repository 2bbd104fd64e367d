import { makeAdmin, TestUser } from '../support/factories';
import { autoRelease, Deal, makeReviewDue, resolvedDeal, review } from '../support/deals';
import { ledgerReport, ledgerTxnCount, statusOf, transfersOf, waitForEscrow } from '../support/inspect';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

/** Exactly one release and one Transfer however the release paths race (C2, R2, R7), for real. */
describe('release races', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());

  async function expectOneRelease(deal: Deal): Promise<void> {
    await waitFor('completed', async () => (await statusOf(t, deal.requestId)) === 'completed');
    await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
    // Give any loser that slipped through time to (wrongly) pay a second time.
    await new Promise((r) => setTimeout(r, 300));
    expect(await transfersOf(t, deal.requestId)).toHaveLength(1);
    expect(await ledgerTxnCount(t, deal.requestId, 'release')).toBe(1);
    expect(await ledgerTxnCount(t, deal.requestId, 'payout')).toBe(1);
  }

  it('C2/R2 review(resolved=true) + the due auto-release job (and a direct run) + dispute→admin release, all at once → one Transfer, one release', async () => {
    const winners: string[] = [];
    for (let round = 0; round < 6; round++) {
      const deal = await resolvedDeal(t);
      await makeReviewDue(t, deal.requestId, false);
      const adminPath = async () => {
        const opened = await t.http
          .post(`/v1/requests/${deal.requestId}/dispute`)
          .set('authorization', deal.customer.auth)
          .send({ reason: 'Racing the release on purpose.' });
        if (opened.status !== 201) return `dispute:${opened.status}`;
        const settled = await t.http.post(`/v1/admin/disputes/${opened.body.id}/resolve`).set('authorization', admin.auth).send({ outcome: 'release' });
        return `admin:${settled.status}`;
      };
      // Each round gives another path a head start (the others follow within ~15 ms), so over
      // the rounds the review, the timer and the admin each get to win some.
      const favoured = round % 3;
      const start = async <T>(index: number, path: () => Promise<T>): Promise<T> => {
        if (index !== favoured) await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
        return path();
      };
      const [byReview, byJob, byDirect, byAdmin] = await Promise.all([
        start(0, () => review(t, deal).then((r) => `review:${r.status}`)),
        start(1, () => makeReviewDue(t, deal.requestId, true).then(() => 'job')),
        start(1, () => autoRelease(t, deal.requestId).then((moved) => `auto:${moved}`)),
        start(2, adminPath),
      ]);
      void byJob;
      winners.push(byReview === 'review:200' ? 'review' : byDirect === 'auto:true' ? 'timer' : byAdmin === 'admin:200' ? 'admin' : 'job worker');
      await expectOneRelease(deal);
      // Nothing half-done: any refused path answered with the contract's conflict, never a 500.
      expect(byReview).toMatch(/^review:(200|409)$/);
      expect(byAdmin).toMatch(/^(dispute:409|admin:200)$/);
    }
    expect((await ledgerReport(t, admin)).ok).toBe(true);
    // The race is real: different paths won different rounds.
    expect(new Set(winners).size).toBeGreaterThanOrEqual(2);
  });

  it('R2 two reviews at once → one 200, one 409 already_reviewed, one Transfer', async () => {
    for (let round = 0; round < 3; round++) {
      const deal = await resolvedDeal(t);
      const answers = await Promise.all([review(t, deal, { rating: 5, resolved: true }), review(t, deal, { rating: 4, resolved: true })]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      expect(answers.find((a) => a.status === 409)!.body.error.code).toBe('already_reviewed');
      await expectOneRelease(deal);
      const [row] = await t.ds.query(`SELECT count(*)::int AS n FROM reviews WHERE request_id = $1`, [deal.requestId]);
      expect(row.n).toBe(1);
    }
  });

  it('R7 two server processes on one database when auto-release is due → one Transfer', async () => {
    const second = await createTestApp({}, { databaseUrl: t.databaseUrl, shareSandboxWith: t });
    try {
      const deals = [await resolvedDeal(t), await resolvedDeal(t)];
      for (const deal of deals) await makeReviewDue(t, deal.requestId, false);
      // Both processes' workers poll the same queue; both also run the handler directly.
      const direct = await Promise.all([
        ...deals.map((d) => makeReviewDue(t, d.requestId, true)),
        ...deals.map((d) => autoRelease(t, d.requestId)),
        ...deals.map((d) => autoRelease(second, d.requestId)),
      ]);
      expect(direct.filter((moved) => moved === true).length).toBeLessThanOrEqual(deals.length);
      for (const deal of deals) {
        await expectOneRelease(deal);
        const [req] = await t.ds.query(`SELECT auto_released FROM help_requests WHERE id = $1`, [deal.requestId]);
        expect(req.auto_released).toBe(true);
      }
      expect((await ledgerReport(t, admin)).ok).toBe(true);
    } finally {
      await second.close();
    }
  });
});

import { TIMER_JOBS } from '../../src/requests/request-lifecycle.service';

const AUTO_RELEASE_JOB = TIMER_JOBS.auto_release;
import { makeAdmin, registerUser, TestUser } from '../support/factories';
import { autoRelease, fundedDeal, makeReviewDue, resolve, resolvedDeal, review } from '../support/deals';
import { escrowRow, eventTypes, ledgerReport, ledgerTxnCount, statusOf, transfersOf, waitForEscrow } from '../support/inspect';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);
const HOUR = 3_600_000;

/** Resolve, review and auto-release (contract §3 "Resolution, review, disputes") with money through the sandbox. */
describe('resolution and review', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());

  describe('POST /v1/requests/:id/resolve', () => {
    it('the awarded expert: in_progress → resolved, reviewDueAt = now + REVIEW_WINDOW_HOURS, request.resolved, auto-release job at reviewDueAt', async () => {
      const deal = await fundedDeal(t);
      const before = Date.now();
      const res = await resolve(t, deal).expect(200);
      const due = Date.parse(res.body.reviewDueAt as string);
      expect(due).toBeGreaterThanOrEqual(before + 168 * HOUR - 1000);
      expect(due).toBeLessThanOrEqual(Date.now() + 168 * HOUR + 1000);
      expect(res.body).toMatchObject({ status: 'resolved', autoReleased: false, nextAutomaticTransition: { name: 'auto_release', at: res.body.reviewDueAt } });
      expect((await eventTypes(t, deal.requestId)).slice(-1)).toEqual(['request.resolved']);
      const [job] = await t.ds.query(`SELECT start_after, state FROM pgboss.job WHERE name = $1 AND data->>'requestId' = $2`, [AUTO_RELEASE_JOB, deal.requestId]);
      expect(new Date(job.start_after).toISOString()).toBe(res.body.reviewDueAt);
      expect(job.state).toBe('created');
      // Resolving twice is a state conflict.
      expect((await resolve(t, deal).expect(409)).body.error.code).toBe('request_not_in_progress');
    });

    it('anyone else: a stranger expert 404, the customer 403, a bidder who lost 403; a short note 400', async () => {
      const loser = await registerUser(t, 'expert');
      const deal = await fundedDeal(t, { otherBidders: [loser] });
      const stranger = await registerUser(t, 'expert');
      expect((await resolve(t, { expert: stranger, requestId: deal.requestId }).expect(404)).body.error.code).toBe('not_found');
      // The losing bidder may read the request (they bid on it) but it is not their job.
      await t.http.get(`/v1/requests/${deal.requestId}`).set('authorization', loser.auth).expect(200);
      expect((await resolve(t, { expert: loser, requestId: deal.requestId }).expect(403)).body.error.code).toBe('forbidden');
      expect((await resolve(t, { expert: deal.customer, requestId: deal.requestId }).expect(403)).body.error.code).toBe('forbidden');
      const bad = await resolve(t, deal, 'short').expect(400);
      expect(bad.body.error).toMatchObject({ code: 'invalid_field', param: 'resolutionNote' });
      expect(await statusOf(t, deal.requestId)).toBe('in_progress');
    });
  });

  describe('POST /v1/requests/:id/review', () => {
    it('resolved=true releases: completed, Transfer of expertPayout (transfer_group = request), counters, events, ledger ok', async () => {
      const deal = await resolvedDeal(t, { amount: 4000, solutionSummary: 'Rebuilt the boot record from the recovery console.' });
      const res = await review(t, deal, { rating: 5, resolved: true, comment: 'Works again, thanks!', publishSolution: true }).expect(200);
      expect(res.body.request).toMatchObject({ id: deal.requestId, status: 'completed', autoReleased: false, nextAutomaticTransition: null });
      expect(res.body.review).toMatchObject({ requestId: deal.requestId, expertId: deal.expert.id, rating: 5, resolved: true, publishSolution: true });
      const escrow = await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
      expect(escrow).toMatchObject({ status: 'released', payout_status: 'paid', platform_fee: 600, expert_payout: 3400 });
      const transfers = await transfersOf(t, deal.requestId);
      expect(transfers).toHaveLength(1);
      expect(transfers[0]).toMatchObject({ amount: 3400, currency: 'usd', transfer_group: deal.requestId });
      expect(await ledgerTxnCount(t, deal.requestId, 'release')).toBe(1);
      expect(await eventTypes(t, deal.requestId)).toEqual(expect.arrayContaining(['request.resolved', 'review.created', 'escrow.released', 'request.updated']));
      const profile = (await t.http.get(`/v1/experts/${deal.expert.id}`).set('authorization', deal.customer.auth).expect(200)).body;
      expect(profile).toMatchObject({ rating: { average: 5, count: 1 }, completedJobs: 1 });
      const [row] = await t.ds.query(`SELECT active_jobs, reputation_score FROM expert_profiles WHERE user_id = $1`, [deal.expert.id]);
      // One perfect job (5 stars, on time, undisputed) out of the prior of ten: 52 (README "How reputation scores").
      expect(row).toEqual({ active_jobs: 0, reputation_score: 52 });
      expect((await ledgerReport(t, admin)).ok).toBe(true);
    });

    it('a second review → 409 already_reviewed (checked before the state machine); still one Transfer', async () => {
      const deal = await resolvedDeal(t);
      await review(t, deal).expect(200);
      const again = await review(t, deal, { rating: 1, resolved: false, comment: 'Changed my mind' }).expect(409);
      expect(again.body.error).toMatchObject({ type: 'conflict', code: 'already_reviewed' });
      await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
      expect(await transfersOf(t, deal.requestId)).toHaveLength(1);
    });

    it('resolved=false needs a comment (400 missing_field comment), then opens a dispute: disputed, no money moves', async () => {
      const deal = await resolvedDeal(t);
      const missing = await review(t, deal, { rating: 2, resolved: false }).expect(400);
      expect(missing.body.error).toMatchObject({ code: 'missing_field', param: 'comment' });
      const res = await review(t, deal, { rating: 2, resolved: false, comment: 'Still shows a black screen.' }).expect(200);
      expect(res.body.request.status).toBe('disputed');
      const [dispute] = await t.ds.query(`SELECT status, opened_by, opened_by_user_id, reason FROM disputes WHERE request_id = $1`, [deal.requestId]);
      expect(dispute).toEqual({ status: 'open', opened_by: 'customer', opened_by_user_id: deal.customer.id, reason: 'Still shows a black screen.' });
      expect(await eventTypes(t, deal.requestId)).toEqual(expect.arrayContaining(['review.created', 'dispute.opened']));
      expect((await escrowRow(t, deal.escrowId)).status).toBe('held');
      expect(await transfersOf(t, deal.requestId)).toHaveLength(0);
      // The rating counts; the job stays active until an admin decides.
      const [row] = await t.ds.query(`SELECT rating_count, active_jobs, completed_jobs FROM expert_profiles WHERE user_id = $1`, [deal.expert.id]);
      expect(row).toEqual({ rating_count: 1, active_jobs: 1, completed_jobs: 0 });
    });

    it('only the owner, only once resolved: 409 request_not_resolved, 404 for another customer, 403 for the expert; bad input 400', async () => {
      const deal = await fundedDeal(t);
      expect((await review(t, deal).expect(409)).body.error.code).toBe('request_not_resolved');
      const other = await registerUser(t, 'customer');
      expect((await review(t, { customer: other, requestId: deal.requestId }).expect(404)).body.error.code).toBe('not_found');
      expect((await review(t, { customer: deal.expert, requestId: deal.requestId }).expect(403)).body.error.code).toBe('forbidden');
      for (const [body, param] of [
        [{ rating: 6, resolved: true }, 'rating'],
        [{ rating: 4.5, resolved: true }, 'rating'],
        [{ rating: '5', resolved: true }, 'rating'],
        [{ rating: 5 }, 'resolved'],
        [{ rating: 5, resolved: true, comment: 'x'.repeat(2001) }, 'comment'],
        [{ rating: 5, resolved: true, status: 'completed' }, 'status'],
      ] as const) {
        const res = await review(t, deal, body).expect(400);
        expect(res.body.error.param).toBe(param);
      }
      expect(await statusOf(t, deal.requestId)).toBe('in_progress');
    });
  });

  describe('auto-release', () => {
    it('the pg-boss job at reviewDueAt with no review → completed, autoReleased, no rating, one Transfer, ledger ok', async () => {
      const deal = await resolvedDeal(t);
      await makeReviewDue(t, deal.requestId);
      await waitFor('auto-release', async () => (await statusOf(t, deal.requestId)) === 'completed');
      const res = await t.http.get(`/v1/requests/${deal.requestId}`).set('authorization', deal.customer.auth).expect(200);
      expect(res.body).toMatchObject({ status: 'completed', autoReleased: true, nextAutomaticTransition: null });
      await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
      expect(await transfersOf(t, deal.requestId)).toHaveLength(1);
      expect(await t.ds.query(`SELECT 1 FROM reviews WHERE request_id = $1`, [deal.requestId])).toHaveLength(0);
      const [row] = await t.ds.query(`SELECT rating_count, completed_jobs, active_jobs FROM expert_profiles WHERE user_id = $1`, [deal.expert.id]);
      expect(row).toEqual({ rating_count: 0, completed_jobs: 1, active_jobs: 0 });
      // After it: a review is refused as already completed.
      expect((await review(t, deal).expect(409)).body.error.code).toBe('request_not_resolved');
      expect((await ledgerReport(t, admin)).ok).toBe(true);
    });

    it('never early: before reviewDueAt the handler does nothing; after a review it does nothing', async () => {
      const deal = await resolvedDeal(t);
      expect(await autoRelease(t, deal.requestId)).toBe(false);
      expect(await statusOf(t, deal.requestId)).toBe('resolved');
      await review(t, deal).expect(200);
      expect(await autoRelease(t, deal.requestId, new Date(Date.now() + 200 * HOUR))).toBe(false);
      expect(await ledgerTxnCount(t, deal.requestId, 'release')).toBe(1);
    });
  });
});


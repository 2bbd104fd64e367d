import { TIMER_JOBS } from '../../src/requests/request-lifecycle.service';

const AUTO_RELEASE_JOB = TIMER_JOBS.auto_release;
const HOLD_LIMIT_JOB = TIMER_JOBS.hold_limit_escalation;
import { createProfile, makeAdmin, registerUser, TestUser } from '../support/factories';
import { Deal, fundedDeal, makeHoldLimitDue, makeReviewDue, resolvedDeal } from '../support/deals';
import { disputeIdOf, escrowRow, eventTypes, ledgerReport, ledgerTxnCount, refundsOf, statusOf, transfersOf, waitForEscrow } from '../support/inspect';
import { platformStripe } from '../support/stripe';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(90_000);
const DAY = 86_400_000;

/** Customer disputes, the hold-limit escalation, chargebacks, and the admins' settlement (contract §3). */
describe('disputes', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());

  const dispute = (deal: Pick<Deal, 'customer' | 'requestId'>, reason = 'The expert never fixed the laptop.') =>
    t.http.post(`/v1/requests/${deal.requestId}/dispute`).set('authorization', deal.customer.auth).send({ reason });
  const settle = (user: TestUser, disputeId: string, body: Record<string, unknown>) =>
    t.http.post(`/v1/admin/disputes/${disputeId}/resolve`).set('authorization', user.auth).send(body);

  describe('POST /v1/requests/:id/dispute', () => {
    it('the owner, in_progress → disputed (dispute.opened); resolved works too, and its auto-release job then does nothing', async () => {
      const deal = await fundedDeal(t);
      const res = await dispute(deal).expect(201);
      expect(res.body).toMatchObject({ requestId: deal.requestId, status: 'open', openedBy: 'customer', outcome: null, refundAmount: null });
      expect(await statusOf(t, deal.requestId)).toBe('disputed');
      expect((await eventTypes(t, deal.requestId)).slice(-2)).toEqual(['dispute.opened', 'request.updated']);
      expect((await dispute(deal).expect(409)).body.error.code).toBe('request_not_disputable');

      const resolved = await resolvedDeal(t);
      await dispute(resolved).expect(201);
      await makeReviewDue(t, resolved.requestId);
      await waitFor('the auto-release job to run', async () => {
        const [job] = await t.ds.query(`SELECT state FROM pgboss.job WHERE name = $1 AND data->>'requestId' = $2`, [AUTO_RELEASE_JOB, resolved.requestId]);
        return job.state === 'completed';
      });
      expect(await statusOf(t, resolved.requestId)).toBe('disputed');
      expect(await ledgerTxnCount(t, resolved.requestId, 'release')).toBe(0);
    });

    it('API1/roles: another customer 404, the expert 403; a 9-character reason 400; unknown fields 400', async () => {
      const deal = await fundedDeal(t);
      const other = await registerUser(t, 'customer');
      expect((await dispute({ customer: other, requestId: deal.requestId }).expect(404)).body.error.code).toBe('not_found');
      expect((await dispute({ customer: deal.expert, requestId: deal.requestId }).expect(403)).body.error.code).toBe('forbidden');
      expect((await dispute(deal, 'too short').expect(400)).body.error).toMatchObject({ code: 'invalid_field', param: 'reason' });
      const extra = await t.http.post(`/v1/requests/${deal.requestId}/dispute`).set('authorization', deal.customer.auth).send({ reason: 'Nothing was fixed at all.', status: 'open' });
      expect(extra.body.error).toMatchObject({ code: 'unknown_field', param: 'status' });
      expect(await statusOf(t, deal.requestId)).toBe('in_progress');
    });

    it('API4 quota: the 11th dispute of one customer within a day → 429 quota_exceeded with Retry-After', async () => {
      const customer = await registerUser(t, 'customer');
      const expert = await registerUser(t, 'expert');
      await createProfile(t, expert);
      const deals: Deal[] = [];
      for (let i = 0; i < 11; i++) deals.push(await fundedDeal(t, { customer, expert }));
      for (const deal of deals.slice(0, 10)) await dispute(deal).expect(201);
      const refused = await dispute(deals[10]).expect(429);
      expect(refused.body.error).toMatchObject({ type: 'rate_limit', code: 'quota_exceeded' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(86_000);
      expect(await statusOf(t, deals[10].requestId)).toBe('in_progress');
    });
  });

  describe('hold limit', () => {
    it('scheduled at funding for fundedAt + MAX_HOLD_DAYS; when due and still in_progress → disputed by the system', async () => {
      const deal = await fundedDeal(t);
      const [job] = await t.ds.query(`SELECT start_after FROM pgboss.job WHERE name = $1 AND data->>'requestId' = $2`, [HOLD_LIMIT_JOB, deal.requestId]);
      const [req] = await t.ds.query(`SELECT funded_at FROM help_requests WHERE id = $1`, [deal.requestId]);
      expect(new Date(job.start_after).getTime()).toBe(new Date(req.funded_at).getTime() + 60 * DAY);
      const shown = await t.http.get(`/v1/requests/${deal.requestId}`).set('authorization', deal.customer.auth).expect(200);
      expect(shown.body.nextAutomaticTransition).toEqual({ name: 'hold_limit_escalation', at: new Date(job.start_after).toISOString() });

      await makeHoldLimitDue(t, deal.requestId);
      await waitFor('escalation', async () => (await statusOf(t, deal.requestId)) === 'disputed');
      const [row] = await t.ds.query(`SELECT opened_by, opened_by_user_id, status FROM disputes WHERE request_id = $1`, [deal.requestId]);
      expect(row).toEqual({ opened_by: 'system', opened_by_user_id: null, status: 'open' });
      expect(await eventTypes(t, deal.requestId)).toContain('dispute.opened');
    });
  });

  describe('admin: GET /v1/admin/disputes', () => {
    it('oldest first, cursor pages, status filter; non-admins 403; a bad status 400', async () => {
      const deals = [await fundedDeal(t), await fundedDeal(t), await fundedDeal(t)];
      for (const deal of deals) await dispute(deal).expect(201);
      await settle(admin, await disputeIdOf(t, deals[0].requestId), { outcome: 'release' }).expect(200);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { data: unknown[]; nextCursor: string | null } } = await t.http.get('/v1/admin/disputes').query({ limit: 2, status: 'open', ...(cursor ? { cursor } : {}) }).set('authorization', admin.auth).expect(200);
        for (const d of page.body.data as Array<{ requestId: string; status: string }>) {
          expect(d.status).toBe('open');
          seen.push(d.requestId);
        }
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(expect.arrayContaining([deals[1].requestId, deals[2].requestId]));
      expect(seen).not.toContain(deals[0].requestId);
      expect(seen.indexOf(deals[1].requestId)).toBeLessThan(seen.indexOf(deals[2].requestId));
      const resolvedPage = await t.http.get('/v1/admin/disputes?status=resolved&limit=100').set('authorization', admin.auth).expect(200);
      expect(resolvedPage.body.data.map((d: { requestId: string }) => d.requestId)).toContain(deals[0].requestId);

      await t.http.get('/v1/admin/disputes').set('authorization', deals[0].customer.auth).expect(403);
      await t.http.get('/v1/admin/disputes').set('authorization', deals[0].expert.auth).expect(403);
      expect((await t.http.get('/v1/admin/disputes?status=closed').set('authorization', admin.auth).expect(400)).body.error.param).toBe('status');
    });
  });

  describe('admin: POST /v1/admin/disputes/:id/resolve', () => {
    it('release → completed, one Transfer of expertPayout, dispute.resolved + escrow.released, ledger ok', async () => {
      const deal = await fundedDeal(t, { amount: 4000 });
      const id = (await dispute(deal).expect(201)).body.id as string;
      const res = await settle(admin, id, { outcome: 'release' }).expect(200);
      expect(res.body).toMatchObject({ id, status: 'resolved', outcome: 'release', refundAmount: null, resolvedAt: expect.any(String) });
      expect(await statusOf(t, deal.requestId)).toBe('completed');
      await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
      expect((await transfersOf(t, deal.requestId)).map((tr) => tr.amount)).toEqual([3400]);
      expect(await refundsOf(t, deal.paymentIntentId)).toHaveLength(0);
      expect(await eventTypes(t, deal.requestId)).toEqual(expect.arrayContaining(['dispute.resolved', 'escrow.released']));
      expect((await settle(admin, id, { outcome: 'refund' }).expect(409)).body.error.code).toBe('dispute_not_open');
      expect((await ledgerReport(t, admin)).ok).toBe(true);
    });

    it('refund → refunded, one Stripe Refund of the whole charge with key refund:<disputeId>, no Transfer, ledger ok', async () => {
      const deal = await fundedDeal(t, { amount: 4000 });
      const id = (await dispute(deal).expect(201)).body.id as string;
      await settle(admin, id, { outcome: 'refund' }).expect(200);
      expect(await statusOf(t, deal.requestId)).toBe('refunded');
      const refunds = await waitFor('the Stripe refund', async () => {
        const list = await refundsOf(t, deal.paymentIntentId);
        return list.length ? list : undefined;
      });
      expect(refunds).toHaveLength(1);
      expect(refunds[0]).toMatchObject({ amount: 4000, metadata: { refundKey: `refund:${id}` } });
      expect(await transfersOf(t, deal.requestId)).toHaveLength(0);
      expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'refunded', refunded_amount: 4000 });
      expect(await eventTypes(t, deal.requestId)).toEqual(expect.arrayContaining(['dispute.resolved', 'escrow.refunded']));
      const [row] = await t.ds.query(`SELECT active_jobs, completed_jobs FROM expert_profiles WHERE user_id = $1`, [deal.expert.id]);
      expect(row).toEqual({ active_jobs: 0, completed_jobs: 0 });
      expect((await ledgerReport(t, admin)).ok).toBe(true);
    });

    it('M2 split → completed; refund + transfer + fee add up to the charge (fee on the released part only), ledger ok', async () => {
      const deal = await fundedDeal(t, { amount: 4000 });
      const id = (await dispute(deal).expect(201)).body.id as string;
      const res = await settle(admin, id, { outcome: 'split', refundAmount: 1200 }).expect(200);
      expect(res.body).toMatchObject({ outcome: 'split', refundAmount: 1200 });
      expect(await statusOf(t, deal.requestId)).toBe('completed');
      await waitForEscrow(t, deal.escrowId, { payout_status: 'paid' });
      const refunds = await waitFor('the Stripe refund', async () => {
        const list = await refundsOf(t, deal.paymentIntentId);
        return list.length ? list : undefined;
      });
      const transfers = await transfersOf(t, deal.requestId);
      expect(refunds.map((r) => r.amount)).toEqual([1200]);
      expect(transfers.map((tr) => tr.amount)).toEqual([2380]); // 2800 released, fee floor(2800 × 15 %) = 420
      const charge = (await platformStripe(t).paymentIntents.retrieve(deal.paymentIntentId)).amount_received;
      expect(refunds[0].amount + transfers[0].amount + 420).toBe(charge);
      expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'partially_refunded', refunded_amount: 1200, payout_status: 'paid' });
      expect((await ledgerReport(t, admin)).ok).toBe(true);
    });

    it('refundAmount rules: split needs 1..amount−1 (400 invalid_field / missing_field refundAmount); other outcomes refuse it', async () => {
      const deal = await fundedDeal(t, { amount: 4000 });
      const id = (await dispute(deal).expect(201)).body.id as string;
      for (const [body, code] of [
        [{ outcome: 'split', refundAmount: 0 }, 'invalid_field'],
        [{ outcome: 'split', refundAmount: 4000 }, 'invalid_field'],
        [{ outcome: 'split', refundAmount: 4001 }, 'invalid_field'],
        [{ outcome: 'split', refundAmount: 12.5 }, 'invalid_field'],
        [{ outcome: 'split' }, 'missing_field'],
        [{ outcome: 'release', refundAmount: 100 }, 'invalid_field'],
      ] as const) {
        const res = await settle(admin, id, body).expect(400);
        expect(res.body.error).toMatchObject({ code, param: 'refundAmount' });
      }
      expect((await settle(admin, id, { outcome: 'everything' }).expect(400)).body.error.param).toBe('outcome');
      expect(await statusOf(t, deal.requestId)).toBe('disputed');
      expect(await refundsOf(t, deal.paymentIntentId)).toHaveLength(0);
    });

    it('A3/API5: a customer (even the owner) or an expert resolving → 403, and no refund at Stripe; unknown ids 404', async () => {
      const deal = await fundedDeal(t);
      const id = (await dispute(deal).expect(201)).body.id as string;
      expect((await settle(deal.customer, id, { outcome: 'refund' }).expect(403)).body.error.code).toBe('forbidden');
      expect((await settle(deal.expert, id, { outcome: 'release' }).expect(403)).body.error.code).toBe('forbidden');
      await new Promise((r) => setTimeout(r, 300));
      expect(await refundsOf(t, deal.paymentIntentId)).toHaveLength(0);
      expect(await transfersOf(t, deal.requestId)).toHaveLength(0);
      expect(await statusOf(t, deal.requestId)).toBe('disputed');
      await settle(admin, '00000000-0000-4000-8000-000000000000', { outcome: 'refund' }).expect(404);
      await settle(admin, 'not-a-uuid', { outcome: 'refund' }).expect(404);
    });

    it('M6 a chargeback (charge.dispute.created) disputes the request with a dispute of kind chargeback and freezes the escrow: Stripe decides it, so every admin outcome → 409 chargeback_open', async () => {
      const deal = await fundedDeal(t, { amount: 4000 });
      const chargeId = (await escrowRow(t, deal.escrowId)).charge_id as string;
      const opened = await fetch(`${t.sandbox.url}/sandbox/charges/${chargeId}/dispute`, { method: 'POST', body: 'reason=fraudulent', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(opened.status).toBe(200);
      await waitFor('chargeback applied', async () => (await statusOf(t, deal.requestId)) === 'disputed');
      const [row] = await t.ds.query(`SELECT id, opened_by, kind, escrow_id, reference FROM disputes WHERE request_id = $1`, [deal.requestId]);
      expect(row).toMatchObject({ opened_by: 'chargeback', kind: 'chargeback', escrow_id: deal.escrowId });
      expect(row.reference).toMatch(/^du_|^dp_/);
      expect(await escrowRow(t, deal.escrowId)).toMatchObject({ frozen: true, chargeback_status: 'open', chargeback_amount: 4000 });
      for (const body of [{ outcome: 'release' }, { outcome: 'refund' }, { outcome: 'split', refundAmount: 100 }, { outcome: 'write_off' }]) {
        expect((await settle(admin, row.id, body).expect(409)).body.error.code).toBe('chargeback_open');
      }
      // An admin can never refund a chargeback: Stripe is not asked for a Refund, nothing moved.
      expect(await statusOf(t, deal.requestId)).toBe('disputed');
      expect(await transfersOf(t, deal.requestId)).toHaveLength(0);
      expect(await refundsOf(t, deal.paymentIntentId)).toHaveLength(0);
      expect(await escrowRow(t, deal.escrowId)).toMatchObject({ status: 'held', refunded_amount: 0 });
      const escrow = await t.http.get(`/v1/requests/${deal.requestId}/escrow`).set('authorization', deal.customer.auth).expect(200);
      expect(escrow.body.chargeback).toEqual({ status: 'open', amount: { amount: 4000, currency: 'usd' } });
      expect((await ledgerReport(t, admin)).ok).toBe(true);
    });
  });
});

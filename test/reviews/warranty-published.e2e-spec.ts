import { resolve, resolvedDeal, review } from '../support/deals';
import { waitForEscrow } from '../support/inspect';
import { createTestApp, TestApp } from '../support/test-app';

jest.setTimeout(120_000);

/**
 * Found by the README's warranty walkthrough against `npm start`: a job whose solution the
 * customer had published, reopened under its warranty, answered 500 when the expert resolved it
 * again without a new summary — the resolve wrote null over the published summary, which
 * CHK_help_requests_published_summary refuses.
 */
describe('a reopened job with a published solution', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const FIRST = 'Rebuilt the boot configuration from the recovery console and removed the broken display driver.';

  async function publishedThenReopened() {
    const deal = await resolvedDeal(t, { amount: 3000, warrantyDays: 7, solutionSummary: FIRST });
    await review(t, deal, { rating: 5, resolved: true, publishSolution: true }).expect(200);
    await waitForEscrow(t, deal.escrowId, { payout_status: 'paid', warranty_status: 'held' });
    await t.http.post(`/v1/requests/${deal.requestId}/reopen`).set('authorization', deal.customer.auth).send({ reason: 'The black screen is back after two days.' }).expect(200);
    return deal;
  }

  it('L2 resolved again without a summary: 200; completed again, the published solution keeps its summary and the holdback is paid', async () => {
    const deal = await publishedThenReopened();
    await resolve(t, deal, 'Blocked the driver version Windows Update kept reinstalling.').expect(200);
    // Not a completed job while it is being fixed again: out of the knowledge base meanwhile.
    await t.http.get(`/v1/solutions/${deal.requestId}`).expect(404);
    await review(t, deal, { rating: 5, resolved: true }).expect(200);
    expect((await t.http.get(`/v1/solutions/${deal.requestId}`).expect(200)).body.solution).toBe(FIRST);
    await waitForEscrow(t, deal.escrowId, { holdback_payout_status: 'paid', warranty_status: 'released' });
  });

  it('L2 resolved again with a new summary: the published solution shows the one that fixed it', async () => {
    const deal = await publishedThenReopened();
    const second = 'The display driver came back with Windows Update: blocking that driver version keeps the desktop working.';
    await resolve(t, deal, 'Blocked the driver version Windows Update kept reinstalling.', second).expect(200);
    await review(t, deal, { rating: 5, resolved: true }).expect(200);
    expect((await t.http.get(`/v1/solutions/${deal.requestId}`).expect(200)).body.solution).toBe(second);
  });
});

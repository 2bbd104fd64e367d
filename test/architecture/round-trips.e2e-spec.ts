import { StatementRecorder } from '../support/statements';
import { createTestApp, TestApp } from '../support/test-app';
import { onboard, pay } from '../support/deals';
import { acceptBid, createProfile, placeBid, postRequest, registerUser } from '../support/factories';
import { statusOf } from '../support/inspect';
import { waitFor } from '../support/wait';

/**
 * The statements each step of a deal sends inside its transaction (BEGIN and COMMIT left out),
 * counted from what the app really sends. Each budget is what the step costs today: a change that
 * adds a round trip fails here and has to say why. Before the request lifecycle (one owner of a
 * request's state, bid moves and events written in one statement each) the counts were
 * post 11, bid 9, accept 15, fund 17, resolve 8, review 22. Funding is 12 since issue 9: the
 * event's row is claimed by an UPDATE (it was an INSERT) and the events that waited for this
 * charge are handed back (one UPDATE, usually of nothing). Review is 13 since issue 10: after the
 * expert's profile lock, one read of their per-skill reputation rows, the accepted bid's eta (on
 * time?) and the customer's last counted rating (the 30-day rule). It cannot ride in the locking
 * SELECT: under READ COMMITTED that statement's snapshot predates the lock wait, so it would miss
 * what the previous holder of the lock wrote. The tallies, the skill rows and the review's flag
 * are then written in the one UPDATE the counters already cost.
 */
const BUDGET = { post: 9, bid: 4, accept: 6, fund: 12, resolve: 5, review: 13 } as const;

describe('round trips per use case', () => {
  let t: TestApp;
  let recorder: StatementRecorder;

  beforeAll(async () => {
    t = await createTestApp();
    recorder = StatementRecorder.attach(t.ds);
  });
  afterAll(async () => {
    recorder.detach(t.ds);
    await t.close();
  });

  it('post, bid, accept, fund, resolve and review stay within their statement budgets', async () => {
    const customer = await registerUser(t, 'customer');
    const expert = await registerUser(t, 'expert');
    await createProfile(t, expert);
    await onboard(t, expert);
    const counts: Record<string, number> = {};
    const one = (step: keyof typeof BUDGET, pattern: RegExp) => {
      const found = recorder.committedMatching(pattern);
      expect(found).toHaveLength(1);
      counts[step] = found[0].statements.length;
      if (process.env.SHOW_SQL) console.log(`${step}:\n${found[0].statements.map((q) => q.slice(0, 160)).join('\n')}`);
    };

    recorder.reset();
    const request = await postRequest(t, customer);
    one('post', /INSERT INTO "?help_requests"?/);

    recorder.reset();
    const bid = await placeBid(t, expert, request.id);
    one('bid', /INSERT INTO "?bids"?/);

    recorder.reset();
    const accepted = await acceptBid(t, customer, bid.id);
    one('accept', /INSERT INTO "?escrows"?/);

    recorder.reset();
    const escrow = accepted.escrow as { paymentIntentId: string; clientSecret: string };
    await pay(t, escrow.paymentIntentId, escrow.clientSecret);
    await waitFor('funded', async () => (await statusOf(t, request.id)) === 'in_progress');
    // The webhook's own transaction only stores the event (W4); the funding is the job's transaction (the one posting `funding`).
    one('fund', /^funding$/);

    recorder.reset();
    const note = `Replaced the boot loader ${Date.now()}.`;
    await t.http.post(`/v1/requests/${request.id}/resolve`).set('authorization', expert.auth).send({ resolutionNote: note }).expect(200);
    one('resolve', new RegExp(note.replace(/\./g, '\\.')));

    recorder.reset();
    await t.http.post(`/v1/requests/${request.id}/review`).set('authorization', customer.auth).send({ rating: 5, resolved: true }).expect(200);
    one('review', /INSERT INTO "?reviews"?/);

    console.log(`statements per transaction: ${JSON.stringify(counts)}`);
    if (process.env.SHOW_SQL) console.log(recorder.transactions.map((x) => x.statements.join("\n")).join("\n----\n"));
    for (const [step, budget] of Object.entries(BUDGET)) expect({ step, statements: counts[step] }).toEqual({ step, statements: Math.min(counts[step], budget) });
  });

  /**
   * Issue 11 §2: the hot reads are one named statement each (src/database/prepared.ts), and with
   * the caller's principal cached and the rate limit counted in memory nothing else is sent.
   */
  it('the expert feed and a request\'s bid list are one statement each', async () => {
    const customer = await registerUser(t, 'customer');
    const expert = await registerUser(t, 'expert');
    await createProfile(t, expert);
    const request = await postRequest(t, customer);
    const other = await postRequest(t, customer);
    await placeBid(t, expert, other.id);
    const reads: Array<[string, TestUserLike]> = [
      ['/v1/experts/me/feed', expert],
      ['/v1/experts/me/feed?limit=1', expert],
      [`/v1/requests/${other.id}/bids`, customer],
      [`/v1/requests/${other.id}/bids?sort=amount`, expert],
    ];
    for (const [path, who] of reads) {
      const res = await t.http.get(path).set('authorization', who.auth).expect(200); // caches the principal
      if (path === '/v1/experts/me/feed') expect(res.body.data.map((i: { request: { id: string } }) => i.request.id)).toContain(request.id);
      const sent = await recorder.fewestDuring(() => t.http.get(path).set('authorization', who.auth).expect(200));
      expect({ path, statements: sent.map((q) => q.slice(0, 60)) }).toEqual({ path, statements: [expect.stringMatching(/^\s*SELECT/)] });
    }
  });
});

type TestUserLike = { auth: string };

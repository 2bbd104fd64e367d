import { withTransaction } from '../../src/database/transaction';
import {
  EMPTY_TALLY,
  reputationFactors,
  ReputationEvent,
  reputationScore,
  skillReputationScore,
  tallyAfter,
  tallyWithVotes,
} from '../../src/experts/domain/reputation';
import { ReputationService } from '../../src/experts/reputation.service';
import { ReputationTallies1796031528333 } from '../../migrations/1796031528333-ReputationTallies';
import { pay, resolve, review } from '../support/deals';
import { acceptBid, createProfile, makeAdmin, placeBid, postRequest, registerUser, TestUser } from '../support/factories';
import { disputeIdOf, statusOf } from '../support/inspect';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

/**
 * Reputation you can read (issue 10), through real deals: per-skill scores from the jobs in each
 * category and the listing by skill they order; the factors (on time, completion, disputes lost);
 * one customer's rating flood counted once per 30 days, also when two reviews race; helpful votes
 * from fresh accounts moving nothing; and the migration's backfill giving the scores the app kept.
 * Every expected score is the domain's (src/experts/domain/reputation.ts) over the same events.
 */
describe('reputation', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
  });
  afterAll(() => t.close());

  interface Job {
    requestId: string;
    customer: TestUser;
    expert: TestUser;
  }

  /** A job in `category` taken from post to resolved; `late` resolves it past the bid's 60-minute eta. */
  async function resolvedJob(expert: TestUser, customer: TestUser, category: string, late = false): Promise<Job> {
    const request = await postRequest(t, customer, { category });
    const bid = await placeBid(t, expert, request.id, { etaMinutes: 60 });
    const { escrow } = await acceptBid(t, customer, bid.id);
    await pay(t, escrow.paymentIntentId, escrow.clientSecret);
    await waitFor('funded', async () => (await statusOf(t, request.id)) === 'in_progress');
    if (late) await t.ds.query(`UPDATE help_requests SET funded_at = funded_at - interval '2 hours' WHERE id = $1`, [request.id]);
    await resolve(t, { expert, requestId: request.id }).expect(200);
    return { requestId: request.id, customer, expert };
  }

  /** A resolved job reviewed by a fresh customer (resolved=true unless a comment says why not). */
  async function reviewedJob(expert: TestUser, category: string, rating: number, options: { late?: boolean; customer?: TestUser } = {}): Promise<Job> {
    const job = await resolvedJob(expert, options.customer ?? (await registerUser(t, 'customer')), category, options.late);
    await review(t, job, { rating, resolved: true }).expect(200);
    return job;
  }

  const profileOf = async (expert: TestUser) => (await t.http.get(`/v1/experts/${expert.id}`).expect(200)).body;
  const job = (over: Partial<Extract<ReputationEvent, { kind: 'job' }>> = {}): ReputationEvent => ({ kind: 'job', at: new Date(), completed: true, onTime: true, refundedShare: 0, ...over });
  const rated = (stars: number): ReputationEvent => ({ kind: 'rating', stars, at: new Date() });
  const replay = (events: ReputationEvent[]) => events.reduce(tallyAfter, EMPTY_TALLY);

  let x: TestUser;
  let y: TestUser;

  it('per-skill scores come from the jobs in each category, and GET /v1/experts?skill=&sort=reputation ranks by them', async () => {
    [x, y] = await Promise.all([registerUser(t, 'expert', { displayName: 'Windows Wanda' }), registerUser(t, 'expert', { displayName: 'Printer Pete' })]);
    await createProfile(t, x, ['windows', 'printers']);
    await createProfile(t, y, ['windows', 'printers']);
    for (let i = 0; i < 3; i++) {
      await reviewedJob(x, 'windows', 5);
      await reviewedJob(y, 'printers', 5);
    }
    await reviewedJob(x, 'printers', 1);
    await reviewedJob(y, 'windows', 1);

    const strong = replay([job(), rated(5), job(), rated(5), job(), rated(5)]);
    const weak = replay([job(), rated(1)]);
    const overall = replay([job(), rated(5), job(), rated(5), job(), rated(5), job(), rated(1)]);
    const score = reputationScore(overall);
    const px = await profileOf(x);
    expect(px.reputation).toEqual({
      score,
      tier: 'rising',
      factors: { ratingAverage: 4, ratingCount: 4, onTimeRate: 1, completionRate: 1, disputeLossRate: 0, helpfulVotes: 0 },
      bySkill: [
        { skill: 'windows', score: skillReputationScore(strong, score), jobs: 3 },
        { skill: 'printers', score: skillReputationScore(weak, score), jobs: 1 },
      ],
    });
    expect(px.reputation.bySkill[0].score).toBeGreaterThan(px.reputation.bySkill[1].score);
    expect((await profileOf(y)).reputation.score).toBe(score); // the same record overall

    const ranked = async (query: string) => (await t.http.get(`/v1/experts${query}`).expect(200)).body.data.map((p: { id: string }) => p.id);
    expect(await ranked('?skill=windows&sort=reputation')).toEqual([x.id, y.id]);
    expect(await ranked('?skill=printers&sort=reputation')).toEqual([y.id, x.id]);
    expect(await ranked('?skill=printers')).toEqual([y.id, x.id]); // reputation is the default sort
    // Paging by skill walks the same order, and a cursor of one skill's ranking is refused by another's.
    const first = await t.http.get('/v1/experts?skill=windows&sort=reputation&limit=1').expect(200);
    expect(first.body.data.map((p: { id: string }) => p.id)).toEqual([x.id]);
    const next = await t.http.get(`/v1/experts?skill=windows&sort=reputation&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`).expect(200);
    expect(next.body.data.map((p: { id: string }) => p.id)).toEqual([y.id]);
    const foreign = await t.http.get(`/v1/experts?skill=printers&sort=reputation&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect([foreign.status, foreign.body.error?.code]).toEqual([400, 'invalid_cursor']);
  });

  it('matching and bids weigh the score in the request\'s category', async () => {
    const customer = await registerUser(t, 'customer');
    const request = await postRequest(t, customer, { category: 'printers' });
    const matches = (await t.http.get(`/v1/requests/${request.id}/matches`).set('authorization', customer.auth).expect(200)).body.data;
    const ids = matches.map((m: { expert: { id: string } }) => m.expert.id);
    expect(ids.indexOf(y.id)).toBeLessThan(ids.indexOf(x.id));
    await placeBid(t, x, request.id, { amount: { amount: 3000, currency: 'usd' } });
    await placeBid(t, y, request.id, { amount: { amount: 3000, currency: 'usd' } });
    const bids = (await t.http.get(`/v1/requests/${request.id}/bids?sort=reputation`).set('authorization', customer.auth).expect(200)).body.data;
    expect(bids.map((b: { expertId: string }) => b.expertId)).toEqual([y.id, x.id]);
    expect(bids[0].expert.reputation.skill).toEqual((await profileOf(y)).reputation.bySkill[1]);
    const recommended = (await t.http.get(`/v1/requests/${request.id}/bids`).set('authorization', customer.auth).expect(200)).body.data;
    expect(recommended[0].expertId).toBe(y.id); // same price and eta: the category's score decides
  });

  it('on time, completion and disputes lost: a late job, a refunded one, a split', async () => {
    const w = await registerUser(t, 'expert');
    await createProfile(t, w, ['email']);
    await reviewedJob(w, 'email', 5);
    await reviewedJob(w, 'email', 4, { late: true });
    // "Not fixed" → dispute → refund (lost in full); another → split, 1000 of 3000 back.
    const settle = async (outcome: Record<string, unknown>) => {
      const j = await resolvedJob(w, await registerUser(t, 'customer'), 'email');
      await review(t, j, { rating: 2, resolved: false, comment: 'Still broken after the fix.' }).expect(200);
      const disputeId = await disputeIdOf(t, j.requestId);
      await t.http.post(`/v1/admin/disputes/${disputeId}/resolve`).set('authorization', admin.auth).send(outcome).expect(200);
    };
    await settle({ outcome: 'refund' });
    await settle({ outcome: 'split', refundAmount: 1000 });

    const tally = replay([
      job(), rated(5),
      job({ onTime: false }), rated(4),
      rated(2), job({ completed: false, refundedShare: 1 }),
      rated(2), job({ refundedShare: 1000 / 3000 }),
    ]);
    const p = await profileOf(w);
    expect(p.reputation.factors).toEqual(reputationFactors(tally));
    expect(p.reputation.factors).toMatchObject({ ratingCount: 4, onTimeRate: 0.75, completionRate: 0.75, disputeLossRate: 0.333 });
    expect(p.reputation.score).toBe(reputationScore(tally));
    expect(p.completedJobs).toBe(3);
  });

  it('a rating flood from one fresh account counts once per 30 days: five 1-star jobs move the score as one rating does', async () => {
    const z = await registerUser(t, 'expert');
    await createProfile(t, z, ['security']);
    const bomber = await registerUser(t, 'customer'); // a fresh account that pays for five jobs
    for (let i = 0; i < 5; i++) await reviewedJob(z, 'security', 1, { customer: bomber });

    const counted = replay([job(), rated(1), job(), job(), job(), job()]);
    const everyOne = replay([job(), rated(1), job(), rated(1), job(), rated(1), job(), rated(1), job(), rated(1)]);
    expect(reputationScore(everyOne)).toBeLessThan(reputationScore(counted)); // so the check below can fail
    const p = await profileOf(z);
    expect(p.rating).toEqual({ average: 1, count: 5 }); // the plain star rating shows every review
    expect(p.reputation.factors).toMatchObject({ ratingCount: 1, ratingAverage: 1 });
    expect(p.reputation.score).toBe(reputationScore(counted));
    const flags = await t.ds.query(`SELECT counts_in_reputation AS counts FROM reviews WHERE expert_id = $1 ORDER BY created_at`, [z.id]);
    expect(flags.map((f: { counts: boolean }) => f.counts)).toEqual([true, false, false, false, false]);
  });

  it('C5 two reviews by one customer of one expert at once: exactly one counts', async () => {
    const e = await registerUser(t, 'expert');
    await createProfile(t, e, ['linux']);
    const customer = await registerUser(t, 'customer');
    const jobs = [await resolvedJob(e, customer, 'linux'), await resolvedJob(e, customer, 'linux')];
    const answers = await Promise.all(jobs.map((j) => review(t, j, { rating: 5, resolved: true })));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const flags = await t.ds.query(`SELECT counts_in_reputation AS counts FROM reviews WHERE expert_id = $1`, [e.id]);
    expect(flags.map((f: { counts: boolean }) => f.counts).sort()).toEqual([false, true]);
    expect((await profileOf(e)).reputation.factors).toMatchObject({ ratingCount: 1 });
  });

  it("the migration's backfill replays this history into the same scores, factors and dedupe flags the app kept", async () => {
    const kept = async () => ({
      profiles: await t.ds.query(`SELECT user_id, reputation_score, rep_ratings, rep_jobs, rep_rating_weight, rep_star_weight, rep_job_weight,
                                          rep_completed_weight, rep_on_time_weight, rep_loss_weight
                                     FROM expert_profiles ORDER BY user_id`),
      skills: await t.ds.query(`SELECT expert_id, skill, score, rep_ratings, rep_jobs FROM expert_skill_reputation ORDER BY expert_id, skill`),
      flags: await t.ds.query(`SELECT expert_id, customer_id, count(*) FILTER (WHERE counts_in_reputation)::int AS counted
                                 FROM reviews GROUP BY expert_id, customer_id ORDER BY expert_id, customer_id`),
    });
    const before = await kept();
    const runner = t.ds.createQueryRunner();
    await runner.startTransaction();
    try {
      await runner.query(`UPDATE reviews SET counts_in_reputation = true`);
      await runner.query(`DELETE FROM expert_skill_reputation WHERE rep_jobs > 0 OR rep_ratings > 0`);
      await runner.query(`UPDATE expert_profiles SET reputation_score = 0, rep_as_of = NULL, rep_ratings = 0, rep_jobs = 0, rep_rating_weight = 0,
                                 rep_star_weight = 0, rep_job_weight = 0, rep_completed_weight = 0, rep_on_time_weight = 0, rep_loss_weight = 0`);
      await ReputationTallies1796031528333.backfill((sql) => runner.query(sql));
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    const after = await kept();
    expect(after.skills).toEqual(before.skills);
    expect(after.flags).toEqual(before.flags);
    // Weighted sums are decayed to another moment (the backfill's, from the rows' own timestamps), so
    // compare what the score reads of them: counts, and ratios of sums (equal up to those seconds' decay).
    expect(after.profiles.map((r: Record<string, unknown>) => [r.user_id, r.reputation_score, r.rep_ratings, r.rep_jobs])).toEqual(
      before.profiles.map((r: Record<string, unknown>) => [r.user_id, r.reputation_score, r.rep_ratings, r.rep_jobs]),
    );
    const ratio = (r: Record<string, number>, part: string, whole: string) => (Number(r[whole]) > 0 ? Number(r[part]) / Number(r[whole]) : 0);
    before.profiles.forEach((old: Record<string, number>, i: number) => {
      const now = after.profiles[i] as Record<string, number>;
      for (const [part, whole] of [['rep_completed_weight', 'rep_job_weight'], ['rep_on_time_weight', 'rep_job_weight'], ['rep_loss_weight', 'rep_job_weight'], ['rep_star_weight', 'rep_rating_weight']]) {
        expect(ratio(now, part, whole)).toBeCloseTo(ratio(old, part, whole), 5);
      }
    });
  });

  it('helpful votes count only from accounts that paid for a job, never fresh ones or the expert; none before their table exists', async () => {
    const reputation = t.app.get(ReputationService);
    const [{ exists }] = await t.ds.query(`SELECT to_regclass('solution_votes') IS NOT NULL AS exists`);
    if (!exists) {
      // This branch has no knowledge base yet: the guarded query counts nothing.
      expect(await withTransaction(t.ds, (em) => reputation.countQualifyingHelpfulVotes(em, x.id))).toEqual({ total: 0, byCategory: new Map() });
      await t.ds.query(`CREATE TABLE IF NOT EXISTS solution_votes (
        request_id uuid NOT NULL REFERENCES help_requests(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (request_id, user_id))`);
    }
    const solved = await reviewedJob(x, 'windows', 5);
    const scoreBefore = (await profileOf(x)).reputation.score;
    const throwaways = await Promise.all(Array.from({ length: 12 }, () => registerUser(t, 'customer')));
    const vote = (userId: string) => t.ds.query(`INSERT INTO solution_votes (request_id, user_id) VALUES ($1, $2)`, [solved.requestId, userId]);
    for (const fresh of throwaways) await vote(fresh.id);
    await vote(x.id); // the expert's own vote
    await withTransaction(t.ds, (em) => reputation.refreshHelpfulVotes(em, x.id));
    expect((await profileOf(x)).reputation).toMatchObject({ score: scoreBefore, factors: { helpfulVotes: 0 } });

    const payingCustomer = (await reviewedJob(y, 'printers', 5)).customer; // has paid for a job
    await vote(payingCustomer.id);
    await withTransaction(t.ds, (em) => reputation.refreshHelpfulVotes(em, x.id));
    const p = await profileOf(x);
    expect(p.reputation.factors.helpfulVotes).toBe(1);
    expect(p.reputation.bySkill.find((s: { skill: string }) => s.skill === 'windows')).toMatchObject({ jobs: 4 });
    const [row] = await t.ds.query(`SELECT rep_helpful_votes FROM expert_skill_reputation WHERE expert_id = $1 AND skill = 'windows'`, [x.id]);
    expect(row.rep_helpful_votes).toBe(1);
    const overall = replay([job(), rated(5), job(), rated(5), job(), rated(5), job(), rated(1), job(), rated(5)]);
    expect(p.reputation.score).toBe(reputationScore(tallyWithVotes(overall, 1)));
    expect(p.reputation.score).toBeGreaterThanOrEqual(scoreBefore);
  });
});

import { RequestLifecycle } from '../../src/requests/request-lifecycle.service';
import { acceptedDeal, lapsePaymentWindow, resolve, review, fundedDeal } from '../support/deals';
import { createProfile, placeBid, postRequest, registerUser, TestUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Issue 11 §3: the feed reads a partial index of the pairings it may still show (feed_until,
 * src/requests/feed-index.ts). After every kind of write that can change the answer — a post, a
 * bid, a withdrawal, an accept, a lapsed payment reopening the request, an edit of the bidding
 * close, a cancel, an expiry, a profile change, a reputation change — two things must hold:
 * every pairing's feed_until is what the request and the bids say (checked over the whole table),
 * and each expert's feed, read through HTTP, is exactly what the old query (a join to every
 * pairing's request and an anti-join into bids) returns.
 */
describe('the expert feed index stays true', () => {
  let t: TestApp;
  let customer: TestUser;
  let winner: TestUser; // windows
  let loser: TestUser; // windows
  let watcher: TestUser; // windows; never bids on the deal's request
  let experts: TestUser[];

  beforeAll(async () => {
    t = await createTestApp();
    [customer, winner, loser, watcher] = await Promise.all([
      registerUser(t, 'customer'),
      registerUser(t, 'expert'),
      registerUser(t, 'expert'),
      registerUser(t, 'expert'),
    ]);
    experts = [winner, loser, watcher];
    for (const e of experts) await createProfile(t, e, ['windows'], { languages: ['en'] });
  });
  afterAll(() => t.close());

  /** Pairings whose feed_until disagrees with their request and the bids: none, ever. */
  async function staleRows(): Promise<unknown[]> {
    return t.ds.query(
      `SELECT m.request_id, m.expert_id, m.feed_until, r.status, r.bidding_closes_at
         FROM request_matches m JOIN help_requests r ON r.id = m.request_id
        WHERE m.feed_until IS DISTINCT FROM
              CASE WHEN r.status = 'open' AND NOT EXISTS (SELECT 1 FROM bids b WHERE b.request_id = m.request_id AND b.expert_id = m.expert_id)
                   THEN r.bidding_closes_at END`,
    );
  }

  /** The feed as it was computed before the index: every pairing joined to its request, an anti-join into bids. */
  async function reference(expertId: string): Promise<string[]> {
    const rows: Array<{ request_id: string }> = await t.ds.query(
      `SELECT m.request_id FROM request_matches m JOIN help_requests r ON r.id = m.request_id
        WHERE m.expert_id = $1 AND r.status = 'open' AND r.bidding_closes_at > now()
          AND NOT EXISTS (SELECT 1 FROM bids b WHERE b.request_id = m.request_id AND b.expert_id = m.expert_id)
        ORDER BY m.score DESC, m.request_id DESC`,
      [expertId],
    );
    return rows.map((r) => r.request_id);
  }

  async function feedIds(expert: TestUser): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { data: Array<{ request: { id: string } }>; nextCursor: string | null } } = await t.http.get(`/v1/experts/me/feed?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).set('authorization', expert.auth);
      expect(res.status).toBe(200);
      ids.push(...res.body.data.map((i) => i.request.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    return ids;
  }

  async function expectTrue(step: string): Promise<void> {
    expect({ step, stale: await staleRows() }).toEqual({ step, stale: [] });
    for (const e of experts) expect({ step, expert: e.id, feed: await feedIds(e) }).toEqual({ step, expert: e.id, feed: await reference(e.id) });
  }

  it('through a post, bids, a withdrawal, an accept, a lapse that reopens, an edit, a cancel and an expiry', async () => {
    const other = await postRequest(t, customer, { category: 'windows' });
    await expectTrue('post');
    expect(await feedIds(watcher)).toContain(other.id);

    const deal = await acceptedDeal(t, { customer, expert: winner, otherBidders: [loser], request: { category: 'windows' } });
    await expectTrue('bids and an accept');
    expect(await feedIds(watcher)).not.toContain(deal.requestId);

    expect(await lapsePaymentWindow(t, deal.requestId, new Date(Date.now() + 7 * 24 * 3600_000))).toBe(true);
    await expectTrue('a lapsed payment reopens the request');
    expect(await feedIds(watcher)).toContain(deal.requestId);
    expect(await feedIds(winner)).not.toContain(deal.requestId);

    const bid = await placeBid(t, watcher, other.id);
    await expectTrue('a bid');
    expect(await feedIds(watcher)).not.toContain(other.id);
    const withdrawn = await t.http.post(`/v1/bids/${bid.id}/withdraw`).set('authorization', watcher.auth);
    expect(withdrawn.status).toBe(200);
    await expectTrue('a withdrawal (the request stays out of that expert\'s feed)');
    expect(await feedIds(watcher)).not.toContain(other.id);

    // A request is editable while it has no bids.
    const editable = await postRequest(t, customer, { category: 'windows' });
    const closes = new Date(Date.now() + 36 * 3600_000).toISOString();
    const edited = await t.http.patch(`/v1/requests/${editable.id}`).set('authorization', customer.auth).send({ biddingClosesAt: closes });
    expect(edited.status).toBe(200);
    await expectTrue('an edit of the bidding close');
    const [{ feed_until }] = await t.ds.query(`SELECT feed_until FROM request_matches WHERE request_id = $1 AND expert_id = $2`, [editable.id, watcher.id]);
    expect(new Date(feed_until).toISOString()).toBe(closes);

    const cancelled = await t.http.post(`/v1/requests/${deal.requestId}/cancel`).set('authorization', customer.auth);
    expect(cancelled.status).toBe(200);
    await expectTrue('a cancel');

    const expiring = await postRequest(t, customer, { category: 'windows' });
    expect(await t.app.get(RequestLifecycle).fireTimer('expire', expiring.id, new Date(Date.now() + 30 * 24 * 3600_000))).toBe(true);
    await expectTrue('an expiry');
    expect(await feedIds(watcher)).not.toContain(expiring.id);
  });

  it('through a profile change and a reputation change', async () => {
    const mobile = await postRequest(t, customer, { category: 'mobile' });
    await createProfile(t, watcher, ['windows', 'mobile'], { languages: ['en'] });
    await expectTrue('a profile change');
    expect(await feedIds(watcher)).toContain(mobile.id);
    await createProfile(t, watcher, ['windows', 'mobile'], { languages: ['en'], available: false });
    await expectTrue('an expert who is no longer available');
    expect(await feedIds(watcher)).toEqual([]);
    await createProfile(t, watcher, ['windows', 'mobile'], { languages: ['en'], available: true });

    // A finished job with a review moves the expert's reputation; pairings are a snapshot and stay.
    const job = await fundedDeal(t, { customer, expert: loser, request: { category: 'windows' } });
    await resolve(t, job).expect(200);
    await review(t, job).expect(200);
    await expectTrue('a reputation change');
  });
});

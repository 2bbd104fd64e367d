import { makeAdmin, registerUser, suspendUser, TestUser } from '../support/factories';
import { fundedDeal, resolve, resolvedDeal, review } from '../support/deals';
import { eventTypes, statusOf, transfersOf } from '../support/inspect';
import { PRIVATE_NOTE, publishedDeal, SUMMARY } from '../support/solutions';
import { createTestApp, TestApp } from '../support/test-app';

jest.setTimeout(90_000);

const SOLUTION_KEYS = ['requestId', 'title', 'category', 'language', 'solution', 'rating', 'helpfulCount', 'expert', 'completedAt', 'publishedAt'].sort();

/**
 * Publishing solutions (issue 10 item 2; contract §3 "Solutions", "Resolution, review"): the
 * expert's public summary at resolve, publishing at review or later, unpublishing by the
 * customer and by an admin, who sees what (API1), and the private note kept private (API3).
 */
describe('knowledge base: publishing', () => {
  let t: TestApp;
  let admin: TestUser;
  let stranger: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
    stranger = await registerUser(t, 'customer');
  });
  afterAll(() => t.close());

  const anonymousGet = (requestId: string) => t.http.get(`/v1/solutions/${requestId}`);
  const getAs = (user: TestUser, requestId: string) => t.http.get(`/v1/solutions/${requestId}`).set('authorization', user.auth);
  const publish = (user: TestUser, requestId: string) => t.http.post(`/v1/solutions/${requestId}/publish`).set('authorization', user.auth);
  const unpublish = (user: TestUser, requestId: string) => t.http.post(`/v1/solutions/${requestId}/unpublish`).set('authorization', user.auth);
  const listed = async (query: Record<string, string> = {}) =>
    ((await t.http.get('/v1/solutions').query({ limit: '100', ...query }).expect(200)).body.data as Array<{ requestId: string }>).map((s) => s.requestId);
  const similar = async (text: string) =>
    ((await t.http.get('/v1/solutions/similar').query({ text }).expect(200)).body.data as Array<{ requestId: string }>).map((s) => s.requestId);

  it('publishSolution at review: completed and public — the summary, never the note; solution.published once, as the object anyone may see', async () => {
    const deal = await publishedDeal(t, { request: { title: 'Office printer refuses every job', category: 'printers' }, rating: 4 });
    expect(await statusOf(t, deal.requestId)).toBe('completed');
    const res = await anonymousGet(deal.requestId).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(SOLUTION_KEYS);
    expect(res.body).toEqual({
      requestId: deal.requestId,
      title: 'Office printer refuses every job',
      category: 'printers',
      language: 'en',
      solution: SUMMARY,
      rating: 4,
      helpfulCount: 0,
      expert: { id: deal.expert.id, displayName: deal.expert.displayName },
      completedAt: expect.any(String),
      publishedAt: expect.any(String),
    });
    expect(await listed()).toContain(deal.requestId);
    expect(await similar('my office printer wont take any jobs')).toContain(deal.requestId);
    expect(await eventTypes(t, deal.requestId, 'solution.published')).toHaveLength(1);
    const [event] = await t.ds.query(`SELECT payload, expert_id FROM events WHERE request_id = $1 AND type = 'solution.published'`, [deal.requestId]);
    expect(event.payload).toEqual(res.body);
    expect(event.expert_id).toBe(deal.expert.id);
    // The expert reads it in their own feed.
    const feed = await t.http.get('/v1/events').query({ type: 'solution.published' }).set('authorization', deal.expert.auth).expect(200);
    expect(feed.body.data.map((e: { requestId: string }) => e.requestId)).toContain(deal.requestId);
  });

  it('API3 the private resolution note, the customer\'s description and anyone\'s email appear in no solution answer, search or event', async () => {
    const deal = await publishedDeal(t, {
      request: { title: 'Shared printer offline for the whole office', description: 'Our Quibblewick street office printer shows offline for everyone.' },
    });
    const answers = [
      (await anonymousGet(deal.requestId)).body,
      (await getAs(deal.customer, deal.requestId)).body,
      (await t.http.get('/v1/solutions').query({ limit: '100' })).body,
      (await t.http.get('/v1/solutions').query({ q: 'printer offline' })).body,
      (await t.http.get('/v1/solutions/similar').query({ text: 'shared printer offline in the office' })).body,
      (await publish(deal.customer, deal.requestId)).body,
      (await t.ds.query(`SELECT payload FROM events WHERE request_id = $1 AND type = 'solution.published'`, [deal.requestId]))[0].payload,
    ];
    const [stored] = await t.ds.query(`SELECT resolution_note, description FROM help_requests WHERE id = $1`, [deal.requestId]);
    expect(stored.resolution_note).toBe(PRIVATE_NOTE); // the secrets are there to leak, and do not
    const text = JSON.stringify(answers);
    expect(text).toContain(deal.requestId);
    for (const secret of [PRIVATE_NOTE, 'Hunter2', 'Elm Street', 'Quibblewick', deal.customer.email, deal.expert.email]) expect(text).not.toContain(secret);
    // Words found only in the note or the description find nothing.
    expect(await listed({ q: 'Hunter2 Elm' })).toEqual([]);
    expect(await listed({ q: 'Quibblewick' })).toEqual([]);
    expect(await similar('Quibblewick Hunter2')).toEqual([]);
  });

  it('a review asking to publish without the expert\'s summary → 422 no_solution_summary, and nothing happens (no review, no money)', async () => {
    const deal = await resolvedDeal(t);
    const res = await review(t, deal, { rating: 5, resolved: true, publishSolution: true }).expect(422);
    expect(res.body.error).toMatchObject({ type: 'invalid_request', code: 'no_solution_summary' });
    expect(await statusOf(t, deal.requestId)).toBe('resolved');
    expect(await t.ds.query(`SELECT 1 FROM reviews WHERE request_id = $1`, [deal.requestId])).toEqual([]);
    expect(await transfersOf(t, deal.requestId)).toEqual([]);
    // Without asking to publish, the same review goes through; the solution stays private (404 to others).
    await review(t, deal, { rating: 5, resolved: true }).expect(200);
    await anonymousGet(deal.requestId).expect(404);
    expect((await publish(deal.customer, deal.requestId).expect(422)).body.error.code).toBe('no_solution_summary');
  });

  it('publishSolution with a "not fixed" review → 400 invalid_field on publishSolution', async () => {
    const deal = await resolvedDeal(t, { solutionSummary: SUMMARY });
    const res = await review(t, deal, { rating: 1, resolved: false, comment: 'Still broken.', publishSolution: true }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_field', param: 'publishSolution' });
    expect(await statusOf(t, deal.requestId)).toBe('resolved');
  });

  it('API1 published later: before, only the customer, the expert and admins read it (publishedAt null), others 404; publishing twice → 200, one event', async () => {
    const deal = await resolvedDeal(t, { solutionSummary: SUMMARY, request: { title: 'Laptop speakers crackle loudly' } });
    await review(t, deal).expect(200);
    for (const res of [await anonymousGet(deal.requestId), await getAs(stranger, deal.requestId)]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    for (const reader of [deal.customer, deal.expert, admin]) {
      expect((await getAs(reader, deal.requestId).expect(200)).body).toMatchObject({ requestId: deal.requestId, solution: SUMMARY, publishedAt: null });
    }
    expect(await listed()).not.toContain(deal.requestId);
    expect(await similar('laptop speakers crackle')).not.toContain(deal.requestId);

    expect((await publish(deal.customer, deal.requestId).send({ publishedAt: '2020-01-01T00:00:00Z' }).expect(400)).body.error.code).toBe('unknown_field');
    const first = await publish(deal.customer, deal.requestId).expect(200);
    expect(first.body.publishedAt).toEqual(expect.any(String));
    const again = await publish(deal.customer, deal.requestId).expect(200);
    expect(again.body).toEqual(first.body);
    expect(await eventTypes(t, deal.requestId, 'solution.published')).toHaveLength(1);
    await anonymousGet(deal.requestId).expect(200);
    expect(await listed()).toContain(deal.requestId);
  });

  it('API1 only the request\'s customer publishes: another customer 404, the expert 403, no token 401; before completion 409 request_not_completed', async () => {
    const deal = await fundedDeal(t);
    await resolve(t, deal, undefined, SUMMARY).expect(200);
    expect((await publish(stranger, deal.requestId).expect(404)).body.error.code).toBe('not_found');
    expect((await publish(deal.expert, deal.requestId).expect(403)).body.error.code).toBe('forbidden');
    expect((await t.http.post(`/v1/solutions/${deal.requestId}/publish`).expect(401)).body.error.code).toBe('authentication_required');
    expect((await publish(deal.customer, deal.requestId).expect(409)).body.error.code).toBe('request_not_completed');
    expect((await publish(deal.customer, '00000000-0000-4000-8000-000000000000').expect(404)).body.error.code).toBe('not_found');
    await anonymousGet(deal.requestId).expect(404);
  });

  it('the customer unpublishes: gone from every list and 404 for others, readable by the parties; unpublishing again → 200; publishing again brings it back', async () => {
    const deal = await publishedDeal(t, { request: { title: 'Scanner makes grey smudges on every page' } });
    expect(await similar('scanner grey smudges')).toContain(deal.requestId);
    expect((await unpublish(stranger, deal.requestId).expect(404)).body.error.code).toBe('not_found');
    expect((await unpublish(deal.expert, deal.requestId).expect(403)).body.error.code).toBe('forbidden');

    expect((await unpublish(deal.customer, deal.requestId).expect(200)).body).toMatchObject({ requestId: deal.requestId, publishedAt: null });
    await unpublish(deal.customer, deal.requestId).expect(200);
    await anonymousGet(deal.requestId).expect(404);
    await getAs(stranger, deal.requestId).expect(404);
    await getAs(deal.expert, deal.requestId).expect(200);
    expect(await listed()).not.toContain(deal.requestId);
    expect(await listed({ q: 'scanner smudges' })).not.toContain(deal.requestId);
    expect(await similar('scanner grey smudges')).not.toContain(deal.requestId);

    await publish(deal.customer, deal.requestId).expect(200);
    await anonymousGet(deal.requestId).expect(200);
    expect(await eventTypes(t, deal.requestId, 'solution.published')).toHaveLength(2);
  });

  it('an admin takes a solution down with a reason: gone for everyone else, and the customer cannot publish it again (422 solution_moderated)', async () => {
    const deal = await publishedDeal(t, { request: { title: 'Router blinks orange all night' } });
    const moderate = (user: TestUser, body: unknown) => t.http.post(`/v1/admin/solutions/${deal.requestId}/unpublish`).set('authorization', user.auth).send(body as object);
    expect((await moderate(deal.customer, { reason: 'Contains a home address.' }).expect(403)).body.error.code).toBe('forbidden');
    expect((await moderate(admin, {}).expect(400)).body.error).toMatchObject({ param: 'reason' });
    expect((await moderate(admin, { reason: 'short' }).expect(400)).body.error).toMatchObject({ code: 'invalid_field', param: 'reason' });
    expect((await moderate(admin, { reason: null }).expect(400)).body.error).toMatchObject({ param: 'reason' });
    expect((await moderate(admin, { reason: 'Contains a home address.', publishedAt: null }).expect(400)).body.error.code).toBe('unknown_field');

    expect((await moderate(admin, { reason: 'Contains a home address.' }).expect(200)).body).toMatchObject({ publishedAt: null });
    const [row] = await t.ds.query(`SELECT published_at, unpublished_reason FROM help_requests WHERE id = $1`, [deal.requestId]);
    expect(row).toEqual({ published_at: null, unpublished_reason: 'Contains a home address.' });
    await anonymousGet(deal.requestId).expect(404);
    expect(await listed()).not.toContain(deal.requestId);
    expect(await similar('router blinks orange')).not.toContain(deal.requestId);
    expect((await publish(deal.customer, deal.requestId).expect(422)).body.error.code).toBe('solution_moderated');
    await anonymousGet(deal.requestId).expect(404);
    const unknown = await t.http.post('/v1/admin/solutions/00000000-0000-4000-8000-000000000000/unpublish').set('authorization', admin.auth).send({ reason: 'Contains a home address.' });
    expect(unknown.status).toBe(404);
  });

  it('a suspended expert\'s solutions are hidden (404, off every list) while suspended, and back after', async () => {
    const deal = await publishedDeal(t, { request: { title: 'Tablet keyboard types double letters' } });
    await suspendUser(t, admin, deal.expert.id);
    await anonymousGet(deal.requestId).expect(404);
    await getAs(stranger, deal.requestId).expect(404);
    expect(await listed()).not.toContain(deal.requestId);
    expect(await similar('tablet keyboard double letters')).not.toContain(deal.requestId);
    expect((await t.http.post(`/v1/solutions/${deal.requestId}/helpful`).set('authorization', stranger.auth).expect(404)).body.error.code).toBe('not_found');
    await t.http.post(`/v1/admin/users/${deal.expert.id}/unsuspend`).set('authorization', admin.auth).expect(200);
    await anonymousGet(deal.requestId).expect(200);
    expect(await similar('tablet keyboard double letters')).toContain(deal.requestId);
  });

  it('solutionSummary at resolve: 20..5000 characters, a string, never null; unknown fields refused', async () => {
    const deal = await fundedDeal(t);
    const send = (body: Record<string, unknown>) => t.http.post(`/v1/requests/${deal.requestId}/resolve`).set('authorization', deal.expert.auth).send(body);
    const note = 'Replaced the failing driver.';
    for (const solutionSummary of ['x'.repeat(19), 'x'.repeat(5001), null, 42, ['a summary that is long enough']]) {
      const res = await send({ resolutionNote: note, solutionSummary }).expect(400);
      expect(res.body.error).toMatchObject({ param: 'solutionSummary' });
    }
    expect((await send({ resolutionNote: note, solutionSummary: 'x'.repeat(20), published: true }).expect(400)).body.error.code).toBe('unknown_field');
    expect(await statusOf(t, deal.requestId)).toBe('in_progress');
    await send({ resolutionNote: note, solutionSummary: 'y'.repeat(5000) }).expect(200);
    const [row] = await t.ds.query(`SELECT resolution_note, solution_summary FROM help_requests WHERE id = $1`, [deal.requestId]);
    expect(row).toEqual({ resolution_note: note, solution_summary: 'y'.repeat(5000) });
  });
});

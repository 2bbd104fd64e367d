import { makeAdmin, registerUser, suspendUser, TestUser } from '../support/factories';
import { seedPublishedSolution } from '../support/solutions';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * "This solved my problem" (issue 10 item 4): one vote per signed-in user, never on one's own
 * solution, counted in helpfulCount; the table the reputation work counts from.
 */
describe('knowledge base: helpful votes', () => {
  let t: TestApp;
  let admin: TestUser;
  let customer: TestUser;
  let expert: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await makeAdmin(t);
    customer = await registerUser(t, 'customer');
    expert = await registerUser(t, 'expert');
  });
  afterAll(() => t.close());

  let n = 0;
  const newSolution = () =>
    seedPublishedSolution(t, customer, expert, {
      category: 'networking',
      title: `Router drops the connection every evening ${++n}`,
      solution: 'Moved the router to a clear channel and updated its firmware.',
    });
  const vote = (user: TestUser, requestId: string) => t.http.post(`/v1/solutions/${requestId}/helpful`).set('authorization', user.auth);
  const helpfulCount = async (requestId: string) => (await t.http.get(`/v1/solutions/${requestId}`).expect(200)).body.helpfulCount as number;

  it('a signed-in user votes once → {helpfulCount}; a second vote → 409 already_voted; every vote counts, whoever casts it', async () => {
    const id = await newSolution();
    const [a, b] = [await registerUser(t, 'customer'), await registerUser(t, 'expert')];
    expect((await vote(a, id).expect(200)).body).toEqual({ helpfulCount: 1 });
    const again = await vote(a, id).expect(409);
    expect(again.body.error).toMatchObject({ type: 'conflict', code: 'already_voted' });
    expect((await vote(b, id).expect(200)).body).toEqual({ helpfulCount: 2 });
    await vote(admin, id).expect(200);
    expect(await helpfulCount(id)).toBe(3);
    expect(((await t.http.get('/v1/solutions').query({ limit: '100' })).body.data as Array<{ requestId: string; helpfulCount: number }>).find((s) => s.requestId === id)?.helpfulCount).toBe(3);
  });

  it('the request\'s own customer or expert → 403 own_solution, nothing stored', async () => {
    const id = await newSolution();
    for (const own of [customer, expert]) {
      const res = await vote(own, id).expect(403);
      expect(res.body.error).toMatchObject({ type: 'permission', code: 'own_solution' });
    }
    expect(await t.ds.query(`SELECT 1 FROM solution_votes WHERE request_id = $1`, [id])).toEqual([]);
  });

  it('API1 an unpublished, unknown or malformed solution → 404; no token → 401; a suspended voter\'s token is refused (401 account_suspended)', async () => {
    const id = await newSolution();
    await t.http.post(`/v1/solutions/${id}/unpublish`).set('authorization', customer.auth).expect(200);
    const voter = await registerUser(t, 'customer');
    expect((await vote(voter, id).expect(404)).body.error.code).toBe('not_found');
    await vote(voter, '00000000-0000-4000-8000-000000000000').expect(404);
    await vote(voter, 'not-a-uuid').expect(404);
    await t.http.post(`/v1/solutions/${id}/publish`).set('authorization', customer.auth).expect(200);
    expect((await t.http.post(`/v1/solutions/${id}/helpful`).expect(401)).body.error.code).toBe('authentication_required');
    const suspended = await registerUser(t, 'customer');
    await suspendUser(t, admin, suspended.id);
    expect((await vote(suspended, id).expect(401)).body.error.code).toBe('account_suspended');
    expect(await helpfulCount(id)).toBe(0);
  });

  it('one user\'s votes racing: exactly one counts, the others 409 already_voted', async () => {
    const id = await newSolution();
    const voter = await registerUser(t, 'customer');
    const results = await Promise.all(Array.from({ length: 6 }, () => vote(voter, id)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    const [row] = await t.ds.query(`SELECT count(*)::int AS n FROM solution_votes WHERE request_id = $1 AND user_id = $2`, [id, voter.id]);
    expect(row.n).toBe(1);
  });

  it('a vote takes no body fields: an unknown one → 400 unknown_field', async () => {
    const id = await newSolution();
    const voter = await registerUser(t, 'customer');
    const res = await vote(voter, id).send({ helpfulCount: 1000 }).expect(400);
    expect(res.body.error.code).toBe('unknown_field');
  });

  it('solution_votes is exactly (request_id uuid → help_requests ON DELETE CASCADE, user_id uuid → users, created_at timestamptz default now(), PK (request_id, user_id))', async () => {
    const columns = await t.ds.query(
      `SELECT column_name, data_type, column_default FROM information_schema.columns WHERE table_name = 'solution_votes' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: 'request_id', data_type: 'uuid', column_default: null },
      { column_name: 'user_id', data_type: 'uuid', column_default: null },
      { column_name: 'created_at', data_type: 'timestamp with time zone', column_default: 'now()' },
    ]);
    const constraints = await t.ds.query(
      `SELECT c.contype, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c WHERE c.conrelid = 'solution_votes'::regclass AND c.contype IN ('f', 'p') ORDER BY c.contype, def`,
    );
    expect(constraints).toEqual([
      { contype: 'f', def: 'FOREIGN KEY (request_id) REFERENCES help_requests(id) ON DELETE CASCADE' },
      { contype: 'f', def: 'FOREIGN KEY (user_id) REFERENCES users(id)' },
      { contype: 'p', def: 'PRIMARY KEY (request_id, user_id)' },
    ]);
  });
});

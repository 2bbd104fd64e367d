import { randomBytes } from 'node:crypto';
import { TestApp } from './test-app';

/**
 * Small data factories over the real routes (shared by feature specs: add functions with small
 * edits). Each call makes unique emails so specs never collide.
 */
export interface TestUser {
  id: string;
  email: string;
  displayName: string;
  role: 'customer' | 'expert';
  token: string;
  /** `Authorization` header value. */
  auth: string;
}

export async function registerUser(
  t: TestApp,
  role: 'customer' | 'expert',
  overrides: { displayName?: string; email?: string } = {},
): Promise<TestUser> {
  const email = overrides.email ?? `${role}-${randomBytes(6).toString('hex')}@example.com`;
  const displayName = overrides.displayName ?? `${role === 'expert' ? 'Expert' : 'Customer'} ${randomBytes(2).toString('hex')}`;
  const res = await t.http.post('/v1/auth/register').send({ email, password: 'correct horse battery', displayName, role });
  if (res.status !== 201) throw new Error(`registerUser: ${res.status} ${JSON.stringify(res.body)}`);
  const token = res.body.accessToken as string;
  return { id: res.body.user.id, email, displayName, role, token, auth: `Bearer ${token}` };
}

export interface ProfileInput {
  headline?: string;
  bio?: string;
  skills?: string[];
  languages?: string[];
  available?: boolean;
}

/** PUT /v1/experts/me/profile; returns the public profile. */
export async function createProfile(
  t: TestApp,
  expert: TestUser,
  skills: string[] = ['windows'],
  overrides: ProfileInput = {},
): Promise<Record<string, unknown>> {
  const body = { headline: 'Fixes computers quickly', bio: 'Ten years of help-desk work.', skills, languages: ['en'], available: true, ...overrides };
  const res = await t.http.put('/v1/experts/me/profile').set('authorization', expert.auth).send(body);
  if (res.status !== 200) throw new Error(`createProfile: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** POST /v1/requests as `customer`; returns the request. */
export async function postRequest(
  t: TestApp,
  customer: TestUser,
  overrides: Record<string, unknown> = {},
): Promise<Record<string, unknown> & { id: string }> {
  const body = {
    title: 'Laptop will not boot',
    description: 'After the last update the laptop shows a black screen.',
    category: 'windows',
    maxBudget: { amount: 5000, currency: 'usd' },
    ...overrides,
  };
  const res = await t.http.post('/v1/requests').set('authorization', customer.auth).send(body);
  if (res.status !== 201) throw new Error(`postRequest: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** POST /v1/requests/:id/bids as `expert`; returns the bid. */
export async function placeBid(
  t: TestApp,
  expert: TestUser,
  requestId: string,
  overrides: Record<string, unknown> = {},
): Promise<Record<string, unknown> & { id: string }> {
  const body = { amount: { amount: 3000, currency: 'usd' }, etaMinutes: 60, message: 'I can fix this today.', ...overrides };
  const res = await t.http.post(`/v1/requests/${requestId}/bids`).set('authorization', expert.auth).send(body);
  if (res.status !== 201) throw new Error(`placeBid: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** An admin: registered as a customer, then promoted in the database (the role is read per request). */
export async function makeAdmin(t: TestApp): Promise<TestUser> {
  const user = await registerUser(t, 'customer', { displayName: 'Admin' });
  await t.ds.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [user.id]);
  return { ...user, role: 'customer' as const };
}

/** POST /v1/admin/users/:id/suspend as `admin`. */
export async function suspendUser(t: TestApp, admin: TestUser, userId: string): Promise<void> {
  const res = await t.http.post(`/v1/admin/users/${userId}/suspend`).set('authorization', admin.auth);
  if (res.status !== 200) throw new Error(`suspendUser: ${res.status} ${JSON.stringify(res.body)}`);
}

/** POST /v1/bids/:id/accept as `customer`; returns `{request, bid, escrow}`. */
export async function acceptBid(
  t: TestApp,
  customer: TestUser,
  bidId: string,
): Promise<{ request: Record<string, unknown> & { id: string }; bid: Record<string, unknown> & { id: string }; escrow: unknown }> {
  const res = await t.http.post(`/v1/bids/${bidId}/accept`).set('authorization', customer.auth);
  if (res.status !== 200) throw new Error(`acceptBid: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

import { randomBytes } from 'node:crypto';
import { AdminAccountsService } from '../../src/auth/admin-accounts.service';
import { PasswordHasher } from '../../src/auth/password-hasher';
import { RefreshTokensService } from '../../src/auth/refresh-tokens.service';
import { TestApp } from './test-app';

/**
 * Small data factories over the real routes, shared by every spec: users, profiles, requests,
 * bids. Each call makes unique emails so specs never collide.
 */
export const PASSWORD = 'correct horse battery staple';

let emails = 0;
/** A unique address per call, so tests in one file never collide. */
export function uniqueEmail(prefix = 'user'): string {
  emails += 1;
  return `${prefix}-${emails}-${randomBytes(3).toString('hex')}@example.com`;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export interface TestUser {
  id: string;
  /** As the API stored it (trimmed, lower-cased). */
  email: string;
  displayName: string;
  role: 'customer' | 'expert' | 'admin';
  password: string;
  accessToken: string;
  refreshToken: string;
  /** `Authorization` header value. */
  auth: string;
}

interface AuthBody {
  user: { id: string; email: string; displayName: string };
  accessToken: string;
  refreshToken: string;
}

const userFrom = (body: AuthBody, role: TestUser['role'], password: string): TestUser => ({
  id: body.user.id,
  email: body.user.email,
  displayName: body.user.displayName,
  role,
  password,
  accessToken: body.accessToken,
  refreshToken: body.refreshToken,
  auth: `Bearer ${body.accessToken}`,
});

/** POST /v1/auth/register; the user with both tokens. */
export async function registerUser(
  t: TestApp,
  role: 'customer' | 'expert' = 'customer',
  overrides: { email?: string; password?: string; displayName?: string } = {},
): Promise<TestUser> {
  const body = {
    email: overrides.email ?? uniqueEmail(role),
    password: overrides.password ?? PASSWORD,
    displayName: overrides.displayName ?? `${role === 'expert' ? 'Expert' : 'Customer'} ${randomBytes(2).toString('hex')}`,
    role,
  };
  const res = await t.http.post('/v1/auth/register').send(body);
  if (res.status !== 201) throw new Error(`registerUser: ${res.status} ${JSON.stringify(res.body)}`);
  return userFrom(res.body as AuthBody, role, body.password);
}

/**
 * An admin, logged in. By default a registered customer promoted in SQL (the role is read per
 * request); `via: 'admin:create'` goes through AdminAccountsService as the CLI does, for specs about that path.
 */
export async function makeAdmin(t: TestApp, options: { via?: 'promote' | 'admin:create' } = {}): Promise<TestUser> {
  if (options.via !== 'admin:create') {
    const user = await registerUser(t, 'customer', { displayName: 'Admin' });
    await t.ds.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [user.id]);
    return { ...user, role: 'admin' };
  }
  const email = uniqueEmail('admin');
  await new AdminAccountsService(t.ds, new PasswordHasher(), new RefreshTokensService(t.ds)).createOrUpdateAdmin({ email, password: PASSWORD });
  const res = await t.http.post('/v1/auth/login').send({ email, password: PASSWORD });
  if (res.status !== 200) throw new Error(`makeAdmin login: ${res.status} ${JSON.stringify(res.body)}`);
  return userFrom(res.body as AuthBody, 'admin', PASSWORD);
}

/** POST /v1/admin/users/:id/suspend as `admin`. */
export async function suspendUser(t: TestApp, admin: TestUser, userId: string): Promise<void> {
  const res = await t.http.post(`/v1/admin/users/${userId}/suspend`).set('authorization', admin.auth);
  if (res.status !== 200) throw new Error(`suspendUser: ${res.status} ${JSON.stringify(res.body)}`);
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

/** A body POST /v1/requests accepts. */
export const validRequest = (overrides: Record<string, unknown> = {}) => ({
  title: 'Laptop will not boot',
  description: 'After the last update the laptop shows a black screen.',
  category: 'windows',
  maxBudget: { amount: 5000, currency: 'usd' },
  ...overrides,
});

/** POST /v1/requests as `customer`; returns the request. */
export async function postRequest(
  t: TestApp,
  customer: TestUser,
  overrides: Record<string, unknown> = {},
): Promise<Record<string, unknown> & { id: string }> {
  const res = await t.http.post('/v1/requests').set('authorization', customer.auth).send(validRequest(overrides));
  if (res.status !== 201) throw new Error(`postRequest: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A body POST /v1/requests/:id/bids accepts. */
export const validBid = (overrides: Record<string, unknown> = {}) => ({
  amount: { amount: 3000, currency: 'usd' },
  etaMinutes: 60,
  message: 'I can fix this today.',
  ...overrides,
});

/** POST /v1/requests/:id/bids as `expert`; returns the bid. */
export async function placeBid(
  t: TestApp,
  expert: TestUser,
  requestId: string,
  overrides: Record<string, unknown> = {},
): Promise<Record<string, unknown> & { id: string }> {
  const res = await t.http.post(`/v1/requests/${requestId}/bids`).set('authorization', expert.auth).send(validBid(overrides));
  if (res.status !== 201) throw new Error(`placeBid: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The escrow as its owner sees it right after the accept (requires_payment, with the client secret). */
export type AcceptedEscrow = Record<string, unknown> & { id: string; status: string; paymentIntentId: string; clientSecret: string };

/** POST /v1/bids/:id/accept as `customer`; returns `{request, bid, escrow}`. */
export async function acceptBid(
  t: TestApp,
  customer: TestUser,
  bidId: string,
): Promise<{ request: Record<string, unknown> & { id: string }; bid: Record<string, unknown> & { id: string }; escrow: AcceptedEscrow }> {
  const res = await t.http.post(`/v1/bids/${bidId}/accept`).set('authorization', customer.auth);
  if (res.status !== 200) throw new Error(`acceptBid: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

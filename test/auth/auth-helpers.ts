import { createHmac, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AdminAccountsService } from '../../src/auth/admin-accounts.service';
import { PasswordHasher } from '../../src/auth/password-hasher';
import { RefreshTokensService } from '../../src/auth/refresh-tokens.service';
import { TestApp } from '../support/test-app';

export const PASSWORD = 'correct horse battery staple';

export interface RegisteredUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

let counter = 0;
/** A unique address per call, so tests in one file never collide. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${counter}-${randomBytes(3).toString('hex')}@example.com`;
}

export async function registerUser(
  t: TestApp,
  overrides: Partial<{ email: string; password: string; displayName: string; role: 'customer' | 'expert' }> = {},
): Promise<RegisteredUser> {
  const body = { email: uniqueEmail(), password: PASSWORD, displayName: 'Test User', role: 'customer', ...overrides };
  const res = await t.http.post('/v1/auth/register').send(body).expect(201);
  return { id: res.body.user.id, email: res.body.user.email, password: body.password, ...res.body };
}

/** An admin made the way `npm run admin:create` makes one, then logged in. */
export async function createAdmin(t: TestApp, email = uniqueEmail('admin')): Promise<RegisteredUser> {
  const ds = t.ds as DataSource;
  await new AdminAccountsService(ds, new PasswordHasher(), new RefreshTokensService(ds)).createOrUpdateAdmin({ email, password: PASSWORD });
  const res = await t.http.post('/v1/auth/login').send({ email, password: PASSWORD }).expect(200);
  return { id: res.body.user.id, email, password: PASSWORD, ...res.body };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Builds a JWT by hand, so tests can forge what the server must refuse (A6). */
export function craftJwt(header: Record<string, unknown>, claims: Record<string, unknown>, key?: string): string {
  const unsigned = `${b64url(header)}.${b64url(claims)}`;
  const signature = key === undefined ? '' : createHmac('sha256', key).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

import { randomBytes } from 'node:crypto';
import { TestUser } from './factories';
import { TestApp } from './test-app';

/** A partner made by an admin through the route, with its first key. */
export interface TestPartner {
  id: string;
  apiKey: string;
}

export interface PartnerUser {
  id: string;
  email: string;
  role: 'customer' | 'expert';
}

export async function createPartner(t: TestApp, admin: TestUser, body: Record<string, unknown> = {}): Promise<TestPartner> {
  const res = await t.http.post('/v1/admin/partners').set('authorization', admin.auth).send({ name: 'Acme Help Desk', ...body });
  if (res.status !== 201) throw new Error(`createPartner: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.partner.id, apiKey: res.body.apiKey };
}

/** POST /v1/partner/users with the partner's key. */
export async function createPartnerUser(t: TestApp, partner: TestPartner, role: 'customer' | 'expert', body: Record<string, unknown> = {}): Promise<PartnerUser> {
  const email = `${role}-${randomBytes(5).toString('hex')}@partner.example`;
  const res = await t.http.post('/v1/partner/users').set('x-api-key', partner.apiKey).send({ email, displayName: `Partner ${role}`, role, ...body });
  if (res.status !== 201 && res.status !== 200) throw new Error(`createPartnerUser: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, email: res.body.email, role };
}

/** Headers for a call a partner makes as one of its users. */
export const actingAs = (partner: TestPartner, user: { id: string }) => ({ 'x-api-key': partner.apiKey, 'x-on-behalf-of': user.id });

import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { Actor, Api } from './api';

const PASSWORD = 'chaos run password 0123';

/** Runs `work` over `items`, `limit` at a time (registration hashes passwords: CPU-bound). */
export async function inBatches<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** POST /v1/auth/register. */
export async function register(api: Api, role: 'customer' | 'expert', name: string): Promise<Actor> {
  const email = `${name}-${randomBytes(4).toString('hex')}@chaos.fixbid.test`;
  const { body } = await api.expect<{ user: { id: string }; accessToken: string }>([201], 'POST', '/v1/auth/register', {
    body: { email, password: PASSWORD, displayName: name, role },
  });
  return { id: body.user.id, auth: `Bearer ${body.accessToken}` };
}

/** POST /v1/auth/login (the admin made by admin:create). */
export async function login(api: Api, email: string, password: string): Promise<Actor> {
  const { body } = await api.expect<{ user: { id: string }; accessToken: string }>([200], 'POST', '/v1/auth/login', { body: { email, password } });
  return { id: body.user.id, auth: `Bearer ${body.accessToken}` };
}

/**
 * An expert ready to be paid: a profile, and a Connect account whose onboarding link the expert
 * opened (the sandbox completes onboarding and sends account.updated, which enables payouts).
 */
export async function readyExpert(api: Api, pool: Pool, name: string): Promise<Actor> {
  const expert = await register(api, 'expert', name);
  await api.expect([200], 'PUT', '/v1/experts/me/profile', {
    as: expert,
    body: { headline: 'Windows boot and driver problems', bio: 'Years of remote support.', skills: ['windows'], languages: ['en'], available: true },
  });
  const { body } = await api.expect<{ onboardingUrl: string }>([200, 201], 'POST', '/v1/experts/me/payout-account', { as: expert });
  const page = await fetch(body.onboardingUrl);
  if (page.status !== 200) throw new Error(`onboarding page answered ${page.status}`);
  await page.text();
  for (const until = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 200))) {
    const { rows } = await pool.query(`SELECT 1 FROM payout_accounts WHERE user_id = $1 AND status = 'enabled' AND payouts_enabled`, [expert.id]);
    if (rows.length) return expert;
    if (Date.now() > until) throw new Error(`expert ${expert.id}: payouts never enabled`);
  }
}

/** The expert's Connect account id (the sandbox's balance hook needs it; the API never shows it: API3). */
export async function connectAccountOf(pool: Pool, userId: string): Promise<string> {
  const { rows } = await pool.query(`SELECT stripe_account_id FROM payout_accounts WHERE user_id = $1`, [userId]);
  if (!rows[0]) throw new Error(`no payout account for ${userId}`);
  return String(rows[0].stripe_account_id);
}

export { PASSWORD };

/** A partner whose users post requests: its key, and its Connect account onboarded (its revenue share is paid there). */
export interface ChaosPartner {
  id: string;
  apiKey: string;
  shareBps: number;
}

/** POST /v1/admin/partners with a revenue share, then the partner onboards its payout account as an expert does. */
export async function readyPartner(api: Api, pool: Pool, admin: Actor, shareBps: number): Promise<ChaosPartner> {
  const { body } = await api.expect<{ partner: { id: string }; apiKey: string }>([201], 'POST', '/v1/admin/partners', { as: admin, body: { name: 'Chaos Help Desk', revenueShareBps: shareBps } });
  const partner = { id: body.partner.id, apiKey: body.apiKey, shareBps };
  const keyOnly: Actor = { id: partner.id, auth: '', headers: { 'x-api-key': partner.apiKey } };
  const link = await api.expect<{ onboardingUrl: string }>([200, 201], 'POST', '/v1/partner/payout-account', { as: keyOnly });
  const page = await fetch(link.body.onboardingUrl);
  if (page.status !== 200) throw new Error(`partner onboarding page answered ${page.status}`);
  await page.text();
  for (const until = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 200))) {
    const { rows } = await pool.query(`SELECT 1 FROM partner_payout_accounts WHERE partner_id = $1 AND status = 'enabled' AND payouts_enabled`, [partner.id]);
    if (rows.length) return partner;
    if (Date.now() > until) throw new Error(`partner ${partner.id}: payouts never enabled`);
  }
}

/** POST /v1/partner/users: a customer the partner owns, acted for with X-On-Behalf-Of. */
export async function partnerCustomer(api: Api, partner: ChaosPartner, name: string): Promise<Actor> {
  const email = `${name}-${randomBytes(4).toString('hex')}@partner.chaos.fixbid.test`;
  const { body } = await api.expect<{ id: string }>([200, 201], 'POST', '/v1/partner/users', {
    as: { id: partner.id, auth: '', headers: { 'x-api-key': partner.apiKey } },
    body: { email, displayName: name, role: 'customer', externalId: name },
  });
  return { id: body.id, auth: '', headers: { 'x-api-key': partner.apiKey, 'x-on-behalf-of': body.id } };
}

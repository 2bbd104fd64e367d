import { json, RequestContext, Route } from './context';
import { paramError, resourceMissing } from './errors';
import { LIST_PARAMS, newestFirst, paginate, render } from './lists';
import type { AccountLinkObject, AccountObject, Requirements } from './objects';
import { applyMetadata, Params } from './params';
import { randomToken } from './state';

const CREATE_PARAMS = ['account_token', 'business_profile', 'business_type', 'capabilities', 'company', 'controller', 'country', 'default_currency', 'documents', 'email', 'expand', 'external_account', 'groups', 'individual', 'metadata', 'settings', 'tos_acceptance', 'type'];
const UPDATE_PARAMS = ['business_profile', 'business_type', 'email', 'expand', 'metadata', 'settings'];
const LINK_PARAMS = ['account', 'type', 'collect', 'collection_options', 'expand', 'refresh_url', 'return_url'];
/** What Stripe asks of a new connected account before it can be paid (Stripe's example account). */
const INITIAL_DUE = ['business_profile.product_description', 'business_profile.support_phone', 'business_profile.url', 'external_account', 'tos_acceptance.date', 'tos_acceptance.ip'];
const CURRENCY_BY_COUNTRY: Record<string, string> = { US: 'usd', GB: 'gbp', CA: 'cad', AU: 'aud', CH: 'chf' };
const BUSINESS_PROFILE_FIELDS = ['mcc', 'name', 'product_description', 'support_email', 'support_phone', 'support_url', 'url'];

function requirements(due: string[], disabledReason: string | null): Requirements {
  return { alternatives: [], current_deadline: null, currently_due: due, disabled_reason: disabledReason, errors: [], eventually_due: due, past_due: [], pending_verification: [] };
}

function businessProfile(p: Params, current: Record<string, unknown>): Record<string, unknown> {
  const given = p.object('business_profile') ?? {};
  const profile = { ...current };
  for (const field of BUSINESS_PROFILE_FIELDS) {
    const value = given[field];
    if (typeof value === 'string') profile[field] = value === '' ? null : value;
  }
  return profile;
}

function accountType(p: Params): AccountObject['type'] {
  const type = p.oneOf('type', ['express', 'standard', 'custom']);
  if (type) return type;
  const controller = p.object('controller');
  const dashboard = controller?.stripe_dashboard;
  const dashboardType = dashboard && typeof dashboard === 'object' && !Array.isArray(dashboard) ? dashboard.type : undefined;
  if (dashboardType === 'full') return 'standard';
  if (dashboardType === 'none') return 'custom';
  return 'express';
}

function requestedCapabilities(p: Params): AccountObject['capabilities'] {
  const given = p.object('capabilities');
  if (!given) return { card_payments: 'inactive', transfers: 'inactive' };
  const capabilities: AccountObject['capabilities'] = {};
  for (const [name, value] of Object.entries(given)) {
    if (typeof value !== 'object' || Array.isArray(value) || (value.requested !== 'true' && value.requested !== 'false')) {
      throw paramError(`Invalid capabilities[${name}]: pass requested=true`, 'parameter_invalid_object', `capabilities[${name}]`);
    }
    if (value.requested === 'true') capabilities[name] = 'inactive';
  }
  return capabilities;
}

function buildAccount(p: Params, now: number): AccountObject {
  const type = accountType(p);
  const country = (p.string('country') ?? 'US').toUpperCase();
  const id = `acct_1${randomToken(15)}`;
  const account: AccountObject = {
    id,
    object: 'account',
    business_profile: businessProfile(p, Object.fromEntries(['annual_revenue', 'estimated_worker_count', 'minority_owned_business_designation', 'support_address', ...BUSINESS_PROFILE_FIELDS].map((f) => [f, null]))),
    business_type: p.oneOf('business_type', ['company', 'government_entity', 'individual', 'non_profit']) ?? null,
    capabilities: requestedCapabilities(p),
    charges_enabled: false,
    controller: {
      fees: { payer: 'application' },
      is_controller: true,
      losses: { payments: 'application' },
      requirement_collection: 'stripe',
      stripe_dashboard: { type: type === 'standard' ? 'full' : type === 'custom' ? 'none' : 'express' },
      type: 'application',
    },
    country,
    created: now,
    default_currency: p.string('default_currency') ?? CURRENCY_BY_COUNTRY[country] ?? 'eur',
    details_submitted: false,
    email: p.nullableString('email') ?? null,
    external_accounts: { object: 'list', data: [], has_more: false, url: `/v1/accounts/${id}/external_accounts` },
    future_requirements: requirements([], null),
    metadata: applyMetadata({}, p),
    payouts_enabled: false,
    requirements: requirements([...INITIAL_DUE], 'requirements.past_due'),
    // branding, card_payments and payments are always present in Stripe's account (API 2026-10-28).
    settings: {
      branding: { icon: null, logo: null, primary_color: null, secondary_color: null },
      card_payments: {
        decline_on: { avs_failure: false, cvc_failure: false },
        statement_descriptor_prefix: null,
        statement_descriptor_prefix_kana: null,
        statement_descriptor_prefix_kanji: null,
      },
      dashboard: { display_name: null, timezone: 'Etc/UTC' },
      payments: {
        statement_descriptor: null,
        statement_descriptor_kana: null,
        statement_descriptor_kanji: null,
        statement_descriptor_prefix_kana: null,
        statement_descriptor_prefix_kanji: null,
      },
      payouts: { debit_negative_balances: true, schedule: { delay_days: 2, interval: 'daily' }, statement_descriptor: null },
    },
    tos_acceptance: { date: null, ip: null, user_agent: null },
    type,
  };
  return account;
}

function createAccount(ctx: RequestContext) {
  const p = ctx.params.allowOnly(CREATE_PARAMS);
  const account = buildAccount(p, ctx.state.now());
  ctx.state.accounts.set(account.id, account);
  return json(render(account, p.expand(), ctx.state));
}

function platformAccount(): AccountObject {
  const account = buildAccount(new Params({ type: 'standard', email: 'platform@sandbox.invalid' }), 1700000000);
  const capabilities = { card_payments: 'active', transfers: 'active' } as const;
  const id = 'acct_1SandboxPlatform0';
  return { ...account, id, capabilities, charges_enabled: true, payouts_enabled: true, details_submitted: true, requirements: requirements([], null) };
}

function getAccount(ctx: RequestContext, id: string, param = 'account'): AccountObject {
  const account = ctx.state.accounts.get(id);
  if (!account) throw resourceMissing('account', id, param);
  return account;
}

function checkUrl(p: Params, name: string): string {
  const value = p.requiredString(name);
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // fall through to Stripe's error
  }
  throw paramError('Not a valid URL', 'url_invalid', name);
}

function createAccountLink(ctx: RequestContext) {
  const p = ctx.params.allowOnly(LINK_PARAMS);
  const account = getAccount(ctx, p.requiredString('account'));
  const type = p.oneOf('type', ['account_onboarding', 'account_update']);
  if (!type) throw paramError('Missing required param: type.', 'parameter_missing', 'type');
  const returnUrl = checkUrl(p, 'return_url');
  const refreshUrl = checkUrl(p, 'refresh_url');
  const query = new URLSearchParams({ return_url: returnUrl, refresh_url: refreshUrl });
  const link: AccountLinkObject = {
    object: 'account_link',
    created: ctx.state.now(),
    expires_at: ctx.state.now() + 300,
    url: `${ctx.sandboxUrl}/sandbox/onboarding/${account.id}?${query.toString()}`,
  };
  return json(link);
}

/** Opening an account link: the expert "completes" onboarding and the account can take transfers. */
function completeOnboarding(ctx: RequestContext) {
  const account = getAccount(ctx, ctx.pathParams.id, 'id');
  if (!account.details_submitted || !account.payouts_enabled) {
    const previous = {
      capabilities: { ...account.capabilities },
      charges_enabled: account.charges_enabled,
      details_submitted: account.details_submitted,
      payouts_enabled: account.payouts_enabled,
      requirements: structuredClone(account.requirements),
    };
    for (const name of Object.keys(account.capabilities)) account.capabilities[name] = 'active';
    Object.assign(account, { charges_enabled: true, details_submitted: true, payouts_enabled: true, requirements: requirements([], null) });
    account.tos_acceptance = { date: ctx.state.now(), ip: '127.0.0.1', user_agent: 'Stripe sandbox onboarding' };
    account.external_accounts.data = [sandboxBankAccount(account)];
    ctx.emit('account.updated', account, previous);
  }
  const returnUrl = ctx.query.get('return_url');
  const back = returnUrl && /^https?:\/\//.test(returnUrl) ? returnUrl : undefined;
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const refresh = back ? `<meta http-equiv="refresh" content="3;url=${escape(back)}">` : '';
  const link = back ? `<p><a href="${escape(back)}">Return to the platform</a></p>` : '';
  return {
    html: `<!doctype html><html><head><meta charset="utf-8"><title>Stripe sandbox onboarding</title>${refresh}</head><body><h1>Onboarding complete</h1><p>Connected account <code>${escape(account.id)}</code> can now receive transfers and payouts (simulated, no real money).</p>${link}</body></html>`,
  };
}

function sandboxBankAccount(account: AccountObject): Record<string, unknown> {
  return {
    id: `ba_${randomToken(24)}`,
    object: 'bank_account',
    account: account.id,
    account_holder_name: null,
    account_holder_type: null,
    bank_name: 'STRIPE TEST BANK',
    country: account.country,
    currency: account.default_currency,
    default_for_currency: true,
    last4: '6789',
    routing_number: '110000000',
    status: 'new',
  };
}

export const accountRoutes: Route[] = [
  { method: 'POST', pattern: '/v1/accounts', handler: createAccount },
  {
    method: 'GET',
    pattern: '/v1/accounts',
    handler: ({ params, state }) => {
      params.allowOnly(LIST_PARAMS);
      return json(render(paginate(newestFirst(state.accounts), params, '/v1/accounts', 'account'), params.expand(), state));
    },
  },
  {
    method: 'GET',
    pattern: '/v1/accounts/:id',
    handler: (ctx) => {
      ctx.params.allowOnly(['expand']);
      return json(render(getAccount(ctx, ctx.pathParams.id), ctx.params.expand(), ctx.state));
    },
  },
  {
    method: 'POST',
    pattern: '/v1/accounts/:id',
    handler: (ctx) => {
      const p = ctx.params.allowOnly(UPDATE_PARAMS);
      const account = getAccount(ctx, ctx.pathParams.id);
      account.metadata = applyMetadata(account.metadata, p);
      account.business_profile = businessProfile(p, account.business_profile);
      if (p.has('email')) account.email = p.nullableString('email') ?? null;
      ctx.emit('account.updated', account);
      return json(render(account, p.expand(), ctx.state));
    },
  },
  {
    // The platform's own account (`stripe.accounts.retrieve()` with no id): handy as a health check.
    method: 'GET',
    pattern: '/v1/account',
    handler: () => json(platformAccount()),
  },
  { method: 'POST', pattern: '/v1/account_links', handler: createAccountLink },
  { method: 'GET', pattern: '/sandbox/onboarding/:id', handler: completeOnboarding, public: true },
];

import createClient, { type Client, type ClientOptions, mergeHeaders } from 'openapi-fetch';
import type { components, operations, paths } from './schema.gen';

/**
 * The typed Fixbid client: openapi-fetch over the types that `npm run openapi` generates from
 * openapi.yaml into schema.gen.ts. Paths, path/query/header params, bodies and answers are all
 * checked against the spec at compile time; a call resolves to `{ data }` on a 2xx and to
 * `{ error }` — the contract's envelope `{ error: { type, code, message, param?, requestId } }` —
 * otherwise (it never throws for an HTTP status).
 *
 *   const fixbid = createFixbidClient({ baseUrl: 'http://localhost:3000', apiKey });
 *   const { data, error } = await fixbid.POST('/v1/requests', {
 *     params: { header: { 'X-On-Behalf-Of': customerId } },
 *     body: { title, description, category: 'windows' },
 *   });
 */
export type FixbidClient = Client<paths>;
export type Schemas = components['schemas'];
export type { components, operations, paths };

export interface FixbidClientOptions extends ClientOptions {
  baseUrl: string;
  /** A partner's key (`fxb_test_…` / `fxb_live_…`), sent as `X-Api-Key` on every call. */
  apiKey?: string;
  /** A user's access token, sent as `Authorization: Bearer …` on every call. */
  accessToken?: string;
}

export function createFixbidClient({ apiKey, accessToken, headers, ...options }: FixbidClientOptions): FixbidClient {
  return createClient<paths>({
    ...options,
    headers: mergeHeaders(
      apiKey ? { 'X-Api-Key': apiKey } : undefined,
      accessToken ? { authorization: `Bearer ${accessToken}` } : undefined,
      headers,
    ),
  });
}

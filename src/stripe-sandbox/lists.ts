import { paramError, resourceMissing } from './errors';
import type { ListObject } from './objects';
import type { Params } from './params';
import type { SandboxState } from './state';

/** The pagination parameters every Stripe list endpoint accepts. */
export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'expand', 'created'] as const;

/**
 * Stripe's cursor pagination over items ordered newest first: `starting_after` pages toward
 * older items, `ending_before` toward newer ones; `limit` 1..100, default 10.
 */
export function paginate<T extends { id: string; created: number }>(
  newestFirst: T[],
  params: Params,
  url: string,
  noun: string,
): ListObject<T> {
  const limit = params.integer('limit') ?? 10;
  if (limit < 1 || limit > 100) {
    throw paramError('This value must be between 1 and 100 (limit).', 'parameter_invalid_integer', 'limit');
  }
  const after = params.string('starting_after');
  const before = params.string('ending_before');
  const items = filterCreated(newestFirst, params);
  let data: T[];
  let hasMore: boolean;
  if (after) {
    const index = items.findIndex((item) => item.id === after);
    if (index === -1) throw resourceMissing(noun, after, 'starting_after');
    const rest = items.slice(index + 1);
    data = rest.slice(0, limit);
    hasMore = rest.length > limit;
  } else if (before) {
    const index = items.findIndex((item) => item.id === before);
    if (index === -1) throw resourceMissing(noun, before, 'ending_before');
    const newer = items.slice(0, index);
    data = newer.slice(Math.max(0, newer.length - limit));
    hasMore = newer.length > limit;
  } else {
    data = items.slice(0, limit);
    hasMore = items.length > limit;
  }
  return { object: 'list', data, has_more: hasMore, url };
}

/** `created` as an exact unix time or a range `created[gte]=...`. */
function filterCreated<T extends { created: number }>(items: T[], params: Params): T[] {
  const raw = params.raw.created;
  if (raw === undefined) return items;
  if (typeof raw === 'string') {
    const exact = params.integer('created');
    return items.filter((item) => item.created === exact);
  }
  if (Array.isArray(raw)) throw paramError('Invalid created', 'parameter_invalid_object', 'created');
  const bound = (key: string) => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !/^\d+$/.test(value)) {
      throw paramError(`Invalid integer: ${String(value)}`, 'parameter_invalid_integer', `created[${key}]`);
    }
    return Number(value);
  };
  const [gt, gte, lt, lte] = [bound('gt'), bound('gte'), bound('lt'), bound('lte')];
  return items.filter(
    (item) =>
      (gt === undefined || item.created > gt) &&
      (gte === undefined || item.created >= gte) &&
      (lt === undefined || item.created < lt) &&
      (lte === undefined || item.created <= lte),
  );
}

export function newestFirst<T>(map: Map<string, T>): T[] {
  return [...map.values()].reverse();
}

/**
 * `expand[]=refunds` on a charge: since API version 2022-11-15 a charge carries its refunds only
 * when asked, as a list of the ten newest (the rest through GET /v1/refunds?charge=).
 */
function chargeRefunds(state: SandboxState, chargeId: string): ListObject<unknown> {
  const refunds = newestFirst(state.refunds).filter((refund) => refund.charge === chargeId);
  return { object: 'list', data: refunds.slice(0, 10), has_more: refunds.length > 10, url: `/v1/charges/${chargeId}/refunds` };
}

/**
 * A deep copy of `object` with `expand[]` paths replaced by the objects their ids name
 * (`latest_charge`, `data.payment_intent`, `latest_charge.balance_transaction`).
 */
export function render(object: unknown, expand: string[], state: SandboxState): unknown {
  const copy = structuredClone(object);
  for (const path of expand) expandPath(copy, path.split('.'), state, path);
  return copy;
}

function expandPath(node: unknown, path: string[], state: SandboxState, full: string): void {
  if (node === null || typeof node !== 'object' || path.length === 0) return;
  const [head, ...rest] = path;
  if (Array.isArray(node)) {
    for (const item of node) expandPath(item, path, state, full);
    return;
  }
  const record = node as Record<string, unknown>;
  if (!(head in record) && record.object === 'charge' && head === 'refunds') record.refunds = chargeRefunds(state, String(record.id));
  if (!(head in record)) {
    throw paramError(`This property cannot be expanded (${full}).`, 'parameter_invalid_string', 'expand');
  }
  const value = record[head];
  if (typeof value === 'string') {
    const found = state.findById(value);
    if (!found) {
      // Ids the sandbox does not keep (py_, pm_) stay strings rather than failing the request.
      return;
    }
    record[head] = structuredClone(found);
  }
  expandPath(record[head], rest, state, full);
}

import { json, Route } from './context';
import { invalidRequest, paramError } from './errors';
import { newestFirst, render } from './lists';
import type { PaymentIntentObject } from './objects';

/**
 * Stripe's search query language (docs.stripe.com/search), the subset PaymentIntents use:
 * clauses `field:value` (exact, case-insensitive), `field>`, `<`, `>=`, `<=` on numbers,
 * `metadata['key']:'value'`, `field:null`, `-clause` to negate; clauses joined by spaces or AND,
 * or all by OR (never both, no parentheses); at most 10 clauses. Strings must be quoted ('' or "").
 *
 * Unlike Stripe, whose search index lags writes by up to a minute (so Stripe warns against
 * read-after-write searches), the sandbox searches its live state: a PaymentIntent is found
 * the moment it exists. Code that passes here may still miss a fresh object on real Stripe.
 */
type Operator = ':' | '~' | '>' | '<' | '>=' | '<=';
type Value = { kind: 'string'; text: string } | { kind: 'number'; number: number } | { kind: 'null' };

interface Clause {
  negated: boolean;
  field: string;
  /** metadata['key'] */
  metadataKey?: string;
  operator: Operator;
  value: Value;
}

const MAX_CLAUSES = 10;

class QueryError extends Error {}

function invalidQuery(detail: string) {
  return invalidRequest(
    `We were unable to parse your search query (${detail}). Try using the format \`metadata["key"]:"value"\` to query for metadata or \`key:"value"\` to query for other fields.`,
    { param: 'query', saved: false },
  );
}

/** A small hand-written scanner: the grammar has no nesting, so no parser library is needed. */
export function parseQuery(query: string): { clauses: Clause[]; joiner: 'AND' | 'OR' } {
  let i = 0;
  const clauses: Clause[] = [];
  const joiners = new Set<'AND' | 'OR'>();
  const skipSpace = () => {
    while (i < query.length && /\s/.test(query[i])) i++;
  };
  const quoted = (): string => {
    const quote = query[i];
    if (quote !== '"' && quote !== "'") throw new QueryError(`expected a quoted string at position ${i}`);
    let text = '';
    for (i++; i < query.length; i++) {
      if (query[i] === '\\' && i + 1 < query.length) text += query[++i];
      else if (query[i] === quote) return (i++, text);
      else text += query[i];
    }
    throw new QueryError('unterminated string');
  };
  skipSpace();
  while (i < query.length) {
    if (clauses.length > 0) {
      const word = /^(AND|OR)(?=\s)/i.exec(query.slice(i));
      if (word) {
        joiners.add(word[1].toUpperCase() as 'AND' | 'OR');
        i += word[1].length;
        skipSpace();
      }
    }
    const negated = query[i] === '-';
    if (negated) i++;
    const name = /^[a-z_][a-z0-9_.]*/i.exec(query.slice(i));
    if (!name) throw new QueryError(`expected a field name at position ${i}`);
    i += name[0].length;
    let metadataKey: string | undefined;
    if (name[0] === 'metadata' && query[i] === '[') {
      i++;
      metadataKey = quoted();
      if (query[i] !== ']') throw new QueryError(`expected ] after the metadata key at position ${i}`);
      i++;
    }
    const operator = /^(>=|<=|:|~|>|<)/.exec(query.slice(i))?.[1] as Operator | undefined;
    if (!operator) throw new QueryError(`expected one of : ~ > < >= <= after ${name[0]}`);
    i += operator.length;
    let value: Value;
    if (query[i] === '"' || query[i] === "'") value = { kind: 'string', text: quoted() };
    else {
      const bare = /^[^\s]+/.exec(query.slice(i))?.[0] ?? '';
      i += bare.length;
      if (bare === 'null') value = { kind: 'null' };
      else if (/^-?\d+(\.\d+)?$/.test(bare)) value = { kind: 'number', number: Number(bare) };
      else throw new QueryError(bare ? `the string value ${bare} must be quoted` : `missing value after ${name[0]}${operator}`);
    }
    clauses.push({ negated, field: name[0], metadataKey, operator, value });
    if (i < query.length && !/\s/.test(query[i])) throw new QueryError(`unexpected ${query[i]} at position ${i}`);
    skipSpace();
  }
  if (clauses.length === 0) throw new QueryError('the query is empty');
  if (clauses.length > MAX_CLAUSES) throw new QueryError(`at most ${MAX_CLAUSES} clauses`);
  if (joiners.size > 1) throw new QueryError('AND and OR cannot be combined in one query');
  return { clauses, joiner: joiners.has('OR') ? 'OR' : 'AND' };
}

type FieldKind = 'token' | 'numeric';
type Reader<T> = { kind: FieldKind; read: (object: T) => string | number | null };

/** Query fields for PaymentIntents (docs.stripe.com/search#query-fields-for-paymentintents). */
const PAYMENT_INTENT_FIELDS: Record<string, Reader<PaymentIntentObject>> = {
  amount: { kind: 'numeric', read: (pi) => pi.amount },
  created: { kind: 'numeric', read: (pi) => pi.created },
  currency: { kind: 'token', read: (pi) => pi.currency },
  customer: { kind: 'token', read: (pi) => pi.customer },
  status: { kind: 'token', read: (pi) => pi.status },
};

function matcher<T extends { metadata: Record<string, string> }>(clause: Clause, fields: Record<string, Reader<T>>): (object: T) => boolean {
  const reader: Reader<T> | undefined =
    clause.field === 'metadata' && clause.metadataKey !== undefined ? { kind: 'token', read: (o) => o.metadata[clause.metadataKey as string] ?? null } : fields[clause.field];
  if (!reader) throw new QueryError(`${clause.field} is not a supported search field`);
  const { operator, value } = clause;
  if (operator === '~') throw new QueryError(`${clause.field} does not support substring matching (~)`);
  if (operator !== ':' && (reader.kind !== 'numeric' || value.kind !== 'number')) throw new QueryError(`${operator} compares numeric fields with numbers only`);
  return (object) => {
    const actual = reader.read(object);
    if (value.kind === 'null') return actual === null;
    if (actual === null) return false;
    if (reader.kind === 'numeric') {
      const wanted = value.kind === 'number' ? value.number : Number(value.text);
      const n = actual as number;
      return operator === ':' ? n === wanted : operator === '>' ? n > wanted : operator === '<' ? n < wanted : operator === '>=' ? n >= wanted : n <= wanted;
    }
    const wanted = value.kind === 'number' ? String(value.number) : value.text;
    return String(actual).toLowerCase() === wanted.toLowerCase();
  };
}

export function searchFilter<T extends { metadata: Record<string, string> }>(query: string, fields: Record<string, Reader<T>>): (object: T) => boolean {
  try {
    const { clauses, joiner } = parseQuery(query);
    const tests = clauses.map((clause) => {
      const test = matcher(clause, fields);
      return clause.negated ? (o: T) => !test(o) : test;
    });
    return joiner === 'AND' ? (o) => tests.every((t) => t(o)) : (o) => tests.some((t) => t(o));
  } catch (error) {
    if (error instanceof QueryError) throw invalidQuery(error.message);
    throw error;
  }
}

const pageToken = (id: string) => Buffer.from(`after:${id}`).toString('base64url');

function afterId(page: string): string {
  const decoded = Buffer.from(page, 'base64url').toString('utf8');
  if (!decoded.startsWith('after:')) throw paramError('Invalid page: pass the next_page of a previous search.', 'parameter_invalid_string', 'page');
  return decoded.slice('after:'.length);
}

export const searchRoutes: Route[] = [
  {
    // Before /v1/payment_intents/:id in the router, or "search" would be taken for an id.
    method: 'GET',
    pattern: '/v1/payment_intents/search',
    handler: ({ params, state }) => {
      params.allowOnly(['query', 'limit', 'page', 'expand']);
      const query = params.requiredString('query');
      const limit = params.integer('limit') ?? 10;
      if (limit < 1 || limit > 100) throw paramError('This value must be between 1 and 100 (limit).', 'parameter_invalid_integer', 'limit');
      const matches = searchFilter(query, PAYMENT_INTENT_FIELDS);
      // Newest first, like Stripe's results; the page token names the last item returned.
      const all = newestFirst(state.paymentIntents);
      let candidates = all;
      const page = params.string('page');
      if (page) {
        const index = candidates.findIndex((pi) => pi.id === afterId(page));
        if (index === -1) throw paramError('Invalid page: pass the next_page of a previous search.', 'parameter_invalid_string', 'page');
        candidates = candidates.slice(index + 1);
      }
      const found = candidates.filter(matches);
      const data = found.slice(0, limit);
      const hasMore = found.length > limit;
      const expand = params.expand().filter((path) => path !== 'total_count');
      const result: Record<string, unknown> = {
        object: 'search_result',
        data,
        has_more: hasMore,
        next_page: hasMore ? pageToken(data[data.length - 1].id) : null,
        url: '/v1/payment_intents/search',
      };
      if (expand.length < params.expand().length) result.total_count = all.filter(matches).length;
      return json(render(result, expand, state));
    },
  },
];

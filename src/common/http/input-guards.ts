import { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';

/** Our bodies nest 2 deep (maxBudget.amount); 32 leaves room and keeps every recursion cheap. */
export const MAX_BODY_DEPTH = 32;

/**
 * Text PostgreSQL cannot store: U+0000 (refused by text and jsonb alike), and unpaired UTF-16
 * surrogates, which have no UTF-8 form (the driver would silently store U+FFFD instead).
 */
// eslint-disable-next-line no-control-regex -- finding U+0000 is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export type InputProblem = { kind: 'too_deep' } | { kind: 'unstorable'; field: string };

/**
 * The first problem in parsed JSON (or a parsed query), found without recursion so that a body
 * nested 100 000 deep is measured, not followed down the stack. A string's field is its dotted
 * path without array indexes (`skills`, `maxBudget.currency`), as validation names fields.
 */
export function inputProblem(input: unknown, maxDepth = MAX_BODY_DEPTH): InputProblem | undefined {
  const pending: Array<{ value: unknown; depth: number; field: string }> = [{ value: input, depth: 0, field: '' }];
  while (pending.length > 0) {
    const { value, depth, field } = pending.pop()!;
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) return { kind: 'unstorable', field };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) return { kind: 'too_deep' };
    if (Array.isArray(value)) {
      for (const item of value) pending.push({ value: item, depth: depth + 1, field });
    } else {
      for (const [key, item] of Object.entries(value)) pending.push({ value: item, depth: depth + 1, field: field ? `${field}.${key}` : key });
    }
  }
  return undefined;
}

function refusal(problem: InputProblem, where: 'body' | 'query'): DomainError {
  if (problem.kind === 'too_deep') {
    return new DomainError('body_too_deep', `The ${where} nests objects or arrays more than ${MAX_BODY_DEPTH} levels deep.`);
  }
  const name = problem.field || where;
  return new DomainError('invalid_field', `${name} must not contain U+0000 or unpaired surrogate characters.`, problem.field || undefined);
}

/** Checks the parsed body and query of a request; throws the 400 to send, if any. */
export function checkInput(request: Pick<FastifyRequest, 'body' | 'query'>): void {
  const inBody = inputProblem(request.body);
  if (inBody) throw refusal(inBody, 'body');
  const inQuery = inputProblem(request.query);
  if (inQuery) throw refusal(inQuery, 'query');
}

/**
 * Runs after parsing and before Nest (guards, the idempotency fingerprint, class-transformer and
 * class-validator all recurse into the body), so over-deep JSON and text the database would
 * refuse are a 400 for every route, never a stack overflow or a 500 (V6).
 */
export function registerInputGuards(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', async (request) => checkInput(request));
}

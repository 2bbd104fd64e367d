import { DomainError } from '../errors/domain-error';
import { checkInput, inputProblem, MAX_BODY_DEPTH } from './input-guards';

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

describe('input guards (V6)', () => {
  it(`JSON nested ${MAX_BODY_DEPTH} levels passes; ${MAX_BODY_DEPTH + 1} is too deep`, () => {
    expect(inputProblem(nested(MAX_BODY_DEPTH))).toBeUndefined();
    expect(inputProblem(nested(MAX_BODY_DEPTH + 1))).toEqual({ kind: 'too_deep' });
    expect(inputProblem({ title: 'x', maxBudget: { amount: 1, currency: 'usd' }, skills: ['a', 'b'] })).toBeUndefined();
  });

  it('measures 200 000 levels without recursion (no stack overflow), quickly', () => {
    const deep = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000));
    const started = Date.now();
    expect(inputProblem(deep)).toEqual({ kind: 'too_deep' });
    expect(Date.now() - started).toBeLessThan(200);
  });

  it.each([
    ['U+0000', 'a\u0000b'],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', '\udc00'],
    ['a reversed pair', '\udc00\ud800'],
  ])('%s in a string → unstorable, naming the field (array items by their field)', (_name, text) => {
    expect(inputProblem({ title: text })).toEqual({ kind: 'unstorable', field: 'title' });
    expect(inputProblem({ maxBudget: { currency: text } })).toEqual({ kind: 'unstorable', field: 'maxBudget.currency' });
    expect(inputProblem({ skills: ['windows', text] })).toEqual({ kind: 'unstorable', field: 'skills' });
  });

  it('emoji (a proper surrogate pair), accents and control characters PostgreSQL stores are fine', () => {
    expect(inputProblem({ message: 'Fixed 👍 — café\n\ttabs' })).toBeUndefined();
  });

  it('checkInput throws the 400s the filter sends: body_too_deep, invalid_field with param; the query too', () => {
    const thrown = (request: { body?: unknown; query?: unknown }) => {
      try {
        checkInput(request as never);
      } catch (err) {
        return err as DomainError;
      }
      return undefined;
    };
    expect(thrown({ body: nested(100) })).toMatchObject({ code: 'body_too_deep', status: 400 });
    expect(thrown({ body: { title: '\u0000' } })).toMatchObject({ code: 'invalid_field', param: 'title', status: 400 });
    expect(thrown({ body: {}, query: { q: 'x\u0000' } })).toMatchObject({ code: 'invalid_field', param: 'q' });
    expect(thrown({ body: undefined, query: {} })).toBeUndefined();
  });
});

import { createValidationPipe } from '../http/validation';
import { DomainError } from '../errors/domain-error';
import { PageQueryDto } from './page-query.dto';

const pipe = createValidationPipe();
const validate = (query: Record<string, unknown>) =>
  pipe.transform(query, { type: 'query', metatype: PageQueryDto }) as Promise<PageQueryDto>;

describe('PageQueryDto (API4, B4)', () => {
  it('defaults limit to 20 and converts the query string', async () => {
    expect(await validate({})).toMatchObject({ limit: 20 });
    expect(await validate({ limit: '1' })).toMatchObject({ limit: 1 });
    expect(await validate({ limit: '100', cursor: 'abc.def' })).toMatchObject({ limit: 100, cursor: 'abc.def' });
  });

  it.each(['0', '101', 'x', '1.5', '-1', ''])('B4 limit=%p → 400 invalid_field, param limit', async (limit) => {
    const err = await validate({ limit }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'invalid_field', param: 'limit', status: 400 });
  });

  it('a cursor longer than any we issue is refused before decoding', async () => {
    const err = await validate({ cursor: 'x'.repeat(1025) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_field', param: 'cursor' });
  });
});

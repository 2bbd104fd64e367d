import { HttpException, InternalServerErrorException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { DomainError } from './domain-error';
import { toErrorResponse } from './error-envelope';

const SQL = 'INSERT INTO "users"("email", "password_hash") VALUES ($1, $2) RETURNING "id"';
const SECRET = 'sk_live_51Hsecretsecretsecret';

/** Anything that must never reach a client from an unexpected failure. */
function expectNothingLeaks(body: unknown): void {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/INSERT|SELECT|users|password|duplicate key|sk_live|postgres/i);
  expect(text).not.toMatch(/\bat \S+ \(|\.ts:\d+|\.js:\d+|stack/i);
}

describe('toErrorResponse', () => {
  it('API8 an Error with SQL and a secret in it → a generic 500 envelope, no stack, no SQL', () => {
    const err = new Error(`duplicate key value violates unique constraint "users_email_key": ${SQL} key=${SECRET}`);
    const mapped = toErrorResponse(err, 'req-1');
    expect(mapped.status).toBe(500);
    expect(mapped.unexpected).toBe(true);
    expect(mapped.body).toEqual({
      error: { type: 'api_error', code: 'internal_error', message: 'Something went wrong on our side.', requestId: 'req-1' },
    });
    expectNothingLeaks(mapped.body);
  });

  it('API8 a TypeORM QueryFailedError (query and parameters attached) → the same generic 500', () => {
    const driverError = Object.assign(new Error('relation "users" does not exist'), { code: '42P01' });
    const err = new QueryFailedError(SQL, ['a@example.com', 'argon2id$hash'], driverError);
    const mapped = toErrorResponse(err, 'req-2');
    expect(mapped.status).toBe(500);
    expect(mapped.body.error.code).toBe('internal_error');
    expectNothingLeaks(mapped.body);
  });

  it('API8 a 5xx HttpException keeps its status but not its message', () => {
    const mapped = toErrorResponse(new InternalServerErrorException(`query failed: ${SQL}`), 'req-3');
    expect(mapped.status).toBe(500);
    expect(mapped.body.error.message).toBe('Something went wrong on our side.');
    expectNothingLeaks(mapped.body);
    const gateway = toErrorResponse(new HttpException(`upstream said ${SECRET}`, 502), 'req-4');
    expect(gateway.status).toBe(502);
    expectNothingLeaks(gateway.body);
  });

  it('API8 thrown non-Errors (strings, objects with a stack property) → generic 500', () => {
    for (const thrown of [SQL, { stack: `Error: boom\n    at Foo (/app/src/foo.ts:1:1)`, message: SQL }, undefined, null]) {
      const mapped = toErrorResponse(thrown, 'req-5');
      expect(mapped.status).toBe(500);
      expectNothingLeaks(mapped.body);
    }
  });

  it('V1 a DomainError keeps its code, status, param and headers, with the request id', () => {
    const mapped = toErrorResponse(new DomainError('service_unavailable', 'Not ready: database unreachable.'), 'req-6');
    expect(mapped.status).toBe(503);
    expect(mapped.body).toEqual({
      error: { type: 'api_error', code: 'service_unavailable', message: 'Not ready: database unreachable.', requestId: 'req-6' },
    });
    const limited = toErrorResponse(new DomainError('invalid_field', 'bad', 'limit', { 'x-a': '1' }), 'req-7');
    expect(limited).toMatchObject({ status: 400, headers: { 'x-a': '1' }, body: { error: { param: 'limit' } } });
  });
});

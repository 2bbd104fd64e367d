import { Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import pino from 'pino';
import { Options, pinoHttp } from 'pino-http';
import { QueryFailedError } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { pinoOptions } from '../http/logging';
import { sendError } from './error.filter';
import { loggableError } from './loggable-error';

const SQL = 'INSERT INTO "users"("email", "password_hash") VALUES ($1, $2) RETURNING "id"';
const EMAIL = 'alice.secret@example.com';
const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g';

/** A unique violation as TypeORM throws it: parameters bound, PostgreSQL's detail quoting the value. */
function uniqueViolation(): QueryFailedError {
  const driverError = Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
    code: '23505',
    severity: 'ERROR',
    detail: `Key (email)=(${EMAIL}) already exists.`,
    constraint: 'users_email_key',
    table: 'users',
    schema: 'public',
    routine: '_bt_check_unique',
  });
  return new QueryFailedError(SQL, [EMAIL, HASH], driverError);
}

/** A pino logger writing JSON lines into an array. */
function capture(options: pino.LoggerOptions = {}): { logger: pino.Logger; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(chunk.toString());
      done();
    },
  });
  return { logger: pino(options, stream), lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>), text: () => out.join('') };
}

const expectNoQueryData = (text: string) => {
  expect(text).not.toContain(EMAIL);
  expect(text).not.toContain('argon2id');
  expect(text).not.toMatch(/"parameters"|"detail"|"driverError"/);
};

describe('error logs carry no SQL parameters', () => {
  it('the error filter logs a failed query with its SQL text and code, without its parameters or values', () => {
    const { logger, lines, text } = capture(); // a plain pino: the filter itself must clean the error
    const reply = { header: jest.fn(), status: jest.fn().mockReturnThis(), type: jest.fn().mockReturnThis(), send: jest.fn() };
    const asNest: Pick<Logger, 'error'> = { error: (obj: object, msg: string) => logger.error(obj, msg) };
    sendError(uniqueViolation(), { id: 'req-42' } as FastifyRequest, reply as unknown as FastifyReply, asNest);

    expect(reply.status).toHaveBeenCalledWith(500);
    const [line] = lines();
    expect(line).toMatchObject({ msg: 'unhandled error', requestId: 'req-42' });
    expect(line.err).toMatchObject({ type: 'QueryFailedError', query: SQL, code: '23505', constraint: 'users_email_key', table: 'users' });
    expect(String((line.err as { stack: string }).stack)).toContain('QueryFailedError');
    expectNoQueryData(text());
  });

  it("the app's logger (pino-http with the app's options) cleans every `{ err }` line, a failed query given as a cause too", () => {
    const out: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        out.push(chunk.toString());
        done();
      },
    });
    const options = pinoOptions({ logLevel: 'info' } as AppConfig).pinoHttp as Options;
    const { logger } = pinoHttp(options, stream);
    const lines = () => out.map((l) => JSON.parse(l) as Record<string, unknown>);
    const text = () => out.join('');
    logger.error({ err: uniqueViolation() }, 'could not record the idempotent response');
    logger.warn({ err: new Error('refund not made yet', { cause: uniqueViolation() }) }, 'retrying');

    const [direct, wrapped] = lines();
    expect(direct.err).toMatchObject({ query: SQL, code: '23505' });
    expect(JSON.stringify(wrapped.err)).toContain('refund not made yet');
    expect(JSON.stringify(wrapped.err)).toContain('users_email_key');
    expectNoQueryData(text());
  });

  it('other errors are logged as they are', () => {
    const plain = Object.assign(new Error('boom'), { code: 'E_SOMETHING', extra: 1 });
    expect(loggableError(plain)).toBe(plain);
    expect(loggableError('not an error')).toBe('not an error');
  });
});

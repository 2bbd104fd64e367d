import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-envelope';
import { loggableError } from './loggable-error';

/** The one place where errors become HTTP responses in the contract's envelope. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(err: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    sendError(err, request, reply, this.logger);
  }
}

export function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply, logger: Pick<Logger, 'error'>): void {
  const mapped = toErrorResponse(err, String(request.id));
  if (mapped.unexpected) {
    // Never the bound values of a failed query (hashes, emails): see loggableError.
    logger.error({ err: loggableError(err), requestId: request.id }, 'unhandled error');
  }
  for (const [name, value] of Object.entries(mapped.headers)) reply.header(name, value);
  reply.status(mapped.status).type('application/json; charset=utf-8').send(mapped.body);
}

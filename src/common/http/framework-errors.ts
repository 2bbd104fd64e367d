import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';
import { toErrorResponse } from '../errors/error-envelope';
import { sendError } from '../errors/error.filter';

const logger = new Logger('HttpFramework');

/**
 * Fastify's router refuses some URLs before any hook runs — a malformed percent-encoding (400),
 * a path parameter longer than maxParamLength (414) — so neither the request-id hook nor Nest's
 * filter sees them. Fastify's `frameworkErrors` option hands them here: the same envelope as
 * every other error, with the X-Request-Id header the onRequest hook would have set.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
  sendError(error, request, reply, logger);
}

function clientErrorOf(err: NodeJS.ErrnoException): DomainError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new DomainError('request_timeout', 'The request was not received in time.');
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return new DomainError('headers_too_large', 'The request line and headers are larger than 16 KiB (a URL that long is never valid here).');
  }
  if (err.code === 'HPE_INVALID_METHOD') return new DomainError('malformed_request', 'The HTTP method is not one this server understands.');
  return new DomainError('malformed_request', 'The HTTP request could not be parsed.');
}

/**
 * Node's HTTP parser refuses some requests before there is a request at all (an unknown method,
 * headers over 16 KiB, a broken request line): Fastify's `clientErrorHandler` answers them on the
 * socket. The envelope and a fresh request id instead of Fastify's bare JSON (V1).
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const requestId = randomUUID();
  const { status, body } = toErrorResponse(clientErrorOf(err), requestId);
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(err);
}

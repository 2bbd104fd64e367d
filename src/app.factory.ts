import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from '@fastify/helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { withRequestContext } from './common/http/request-context';
import { WebhookNetwork } from './webhooks/webhook-network';
import { ErrorFilter } from './common/errors/error.filter';
import { answerClientError, answerFrameworkError } from './common/http/framework-errors';
import { registerInputGuards } from './common/http/input-guards';
import { createValidationPipe } from './common/http/validation';
import { setupDocs } from './docs/openapi';
import { registerHttpMetrics } from './health/http-metrics.hook';

export const BODY_LIMIT_BYTES = 1024 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Echo a well-formed incoming X-Request-Id, otherwise make one; pino-http reads it off the raw request. */
function requestIdFor(raw: IncomingMessage): string {
  const incoming = raw.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  (raw as IncomingMessage & { id?: string }).id = id;
  return id;
}

/** 'true' / 'false' / addresses and CIDRs separated by commas (e.g. 'loopback,10.0.0.0/8'). */
function trustProxySetting(value: string): boolean | string[] {
  if (value === 'true' || value === 'false') return value === 'true';
  return value.split(',').map((v) => v.trim()).filter(Boolean);
}

/**
 * Builds the whole HTTP application — the same for `npm start`, the tests and the benchmark:
 * Fastify with the body limit, request ids, security headers, the global pipe and error filter.
 */
export async function createApp(config: AppConfig, options: { logger?: boolean; webhookNetwork?: WebhookNetwork } = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdFor,
    trustProxy: trustProxySetting(config.trustProxy),
    routerOptions: { ignoreTrailingSlash: true },
    // Errors raised before any hook or Nest runs, answered in the envelope too (V1).
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, { webhookNetwork: options.webhookNetwork }), adapter, {
    bufferLogs: true,
    rawBody: true,
    // JSON only: Nest's defaults would also parse form bodies; every other type is 400 unsupported_content_type.
    bodyParser: false,
    logger: options.logger === false ? false : undefined,
  });
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT_BYTES });
  if (options.logger !== false) app.useLogger(app.get(Logger));
  else app.useLogger(false);

  const fastify = app.getHttpAdapter().getInstance();
  // Fastify's own text/plain parser: a text body must be refused, not handed to validation as an empty object.
  fastify.removeContentTypeParser(['text/plain']);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // The rest of the request (guards, handler, the events it writes) runs inside its own context.
    withRequestContext(done);
  });
  registerInputGuards(fastify);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // The API answers JSON; the only HTML is Swagger UI (/docs), whose scripts are files
        // under /docs/ and which injects inline styles.
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        // Over plain http (compose on a LAN address) the browser would upgrade /docs assets to https and fail.
        upgradeInsecureRequests: null,
      },
    },
  });
  setupDocs(app);
  registerHttpMetrics(app);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorFilter());
  app.enableShutdownHooks();
  return app;
}

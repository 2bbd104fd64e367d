import { Params } from 'nestjs-pino';
import { stdSerializers } from 'pino';
import { loggableError } from '../errors/loggable-error';
import { AppConfig } from '../../config/app-config';

/** Secrets never reach the log: auth headers, passwords, tokens, API keys, Stripe secrets. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["stripe-signature"]',
  'res.headers["set-cookie"]',
  'password',
  'refreshToken',
  'accessToken',
  'apiKey',
  '*.password',
  '*.newPassword',
  '*.accessToken',
  '*.refreshToken',
  '*.apiKey',
  '*.secret',
  '*.clientSecret',
  '*.client_secret',
  '*.secretKey',
  '*.webhookSecret',
  '*.databaseUrl',
  '*.jwtSecret',
];

export function pinoOptions(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Fastify's genReqId already put the request id on the raw request (see app.factory.ts).
      genReqId: (req) => (req as { id?: string }).id ?? '',
      // partnerId: which partner's key made the request (the audit trail in the log).
      customProps: (req) => ({ requestId: (req as { id?: string }).id, partnerId: (req as { partnerId?: string }).partnerId }),
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        // Every `{ err }` line: a failed query's SQL text stays, its parameters and values go.
        // pino-http hands this pino's own serialization of the error, whose `raw` is the error itself.
        err: (err: Error & { raw?: unknown }) => stdSerializers.err(loggableError(err.raw instanceof Error ? err.raw : err) as Error),
      },
      autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
    },
  };
}

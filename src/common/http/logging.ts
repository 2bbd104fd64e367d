import { Params } from 'nestjs-pino';
import { stdSerializers } from 'pino';
import type { Options } from 'pino-http';
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

export function pinoOptions(config: AppConfig, format: LogFormat = logFormat(config.nodeEnv)): Params {
  const options: Options = {
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
  };
  // At a terminal in development: readable lines (see prettyDestination); otherwise pino's JSON.
  return { pinoHttp: format === 'pretty' ? [options, prettyDestination(config.logLevel)] : options };
}

/**
 * How logs look: readable lines for a person at a terminal in development, JSON everywhere else
 * (production, pipes, files, log collectors), unchanged from what they always were.
 */
export type LogFormat = 'pretty' | 'json';

export function logFormat(nodeEnv: string, out: { isTTY?: boolean } = process.stdout): LogFormat {
  return nodeEnv !== 'production' && out.isTTY ? 'pretty' : 'json';
}

/** Nest's start-up chatter (modules loaded, routes mapped): shown in pretty mode only at debug. */
const NEST_BOOT_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);
const LEVELS: Record<number, [label: string, color: number]> = {
  10: ['TRACE', 90],
  20: ['DEBUG', 90],
  30: ['INFO ', 32],
  40: ['WARN ', 33],
  50: ['ERROR', 31],
  60: ['FATAL', 31],
};
/** Fields the pretty line shows in its own way (or leaves out as noise at a terminal). */
const SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'context', 'msg', 'req', 'res', 'responseTime', 'requestId', 'partnerId', 'err']);

interface PrettyOptions {
  /** The configured level: at debug and below, Nest's start-up lines are shown too. */
  level: string;
  color: boolean;
}

/**
 * One JSON log line as a readable line: `12:04:05 INFO  Context: message key=value`, a request
 * as `GET /v1/me 200 4 ms`, an error's stack indented below. Undefined: not shown.
 */
export function formatPretty(json: string, options: PrettyOptions): string | undefined {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = Number(rec.level);
  const context = typeof rec.context === 'string' ? rec.context : undefined;
  if (level <= 30 && context && NEST_BOOT_CONTEXTS.has(context) && !['debug', 'trace'].includes(options.level)) return undefined;
  const paint = (code: number, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const [label, color] = LEVELS[level] ?? [String(rec.level), 0];
  const time = new Date(Number(rec.time) || Date.now()).toTimeString().slice(0, 8);

  let text = String(rec.msg ?? '');
  const req = rec.req as { method?: string; url?: string } | undefined;
  const res = rec.res as { statusCode?: number } | undefined;
  if (req?.method && res) {
    text = `${req.method} ${req.url} ${res.statusCode ?? '-'}${rec.responseTime !== undefined ? ` ${String(rec.responseTime)} ms` : ''}`;
    if (level >= 50 && rec.msg) text += ` (${String(rec.msg)})`;
  }
  const extras = Object.entries(rec)
    .filter(([key]) => !SHOWN.has(key) || (key === 'requestId' && level >= 40 && rec.requestId))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  let line = `${paint(90, time)} ${paint(color, label)} ${context ? `${paint(36, context)}: ` : ''}${text}${extras.length ? ` ${paint(90, extras.join(' '))}` : ''}`;
  const err = rec.err as { message?: string; stack?: string } | undefined;
  if (err && (err.stack || err.message)) line += `\n${String(err.stack ?? err.message).replace(/^/gm, '    ')}`;
  return line;
}

/** A pino destination writing pretty lines to `out` (synchronously: a TTY write is, on Linux and macOS). */
export function prettyDestination(level: string, out: { write(text: string): unknown } = process.stdout, color = !process.env.NO_COLOR): { write(chunk: string): void } {
  return {
    write(chunk: string) {
      for (const json of chunk.split('\n')) {
        if (!json) continue;
        const line = formatPretty(json, { level, color });
        if (line !== undefined) out.write(`${line}\n`);
      }
    },
  };
}

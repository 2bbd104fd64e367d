import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory';
import { logFormat } from './common/http/logging';
import { AppConfig, ConfigError, loadAppConfig } from './config/app-config';
import { EmbeddedPostgresError } from './database/embedded-postgres';
import { runMigrations } from './database/migrate';
import { prepareRuntime, Runtime } from './database/runtime';
import { launchStripeSandbox, LaunchedSandbox, sandboxStateFile } from './payments/sandbox-runner';

const logger = new Logger('Fixbid');

/** Signals that stop the server cleanly (SIGHUP: the terminal was closed). */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** A stop that hangs (a stuck job, a connection that never closes) ends the process anyway. */
const STOP_TIMEOUT_MS = 30_000;

/** What start() has brought up so far, torn down in reverse order. */
interface Parts {
  runtime?: Runtime;
  sandbox?: LaunchedSandbox;
  app?: NestFastifyApplication;
}

/** Why we stop: a signal, or our output is gone (the terminal closed, or the reader of a pipe quit). */
type StopCause = NodeJS.Signals | 'output closed';

async function main(): Promise<void> {
  const pretty = logFormat(process.env.NODE_ENV ?? 'development') === 'pretty';
  const parts: Parts = {};
  let stopping = false;
  let startup: Promise<void> = Promise.resolve();

  const stop = async (cause: StopCause) => {
    // A Ctrl-C under npm arrives twice (from the terminal and forwarded by npm), and Nest
    // re-raises the signal once its own hooks have run: one stop is enough.
    if (stopping) return;
    stopping = true;
    const hungUp = cause === 'SIGHUP' || cause === 'output closed';
    setTimeout(() => {
      process.stderr.write(`fixbid: still stopping after ${STOP_TIMEOUT_MS / 1000} s; exiting anyway.\n`);
      end(1, hungUp);
    }, STOP_TIMEOUT_MS).unref();
    logger.log(`${cause === 'output closed' ? 'Output closed' : `${cause} received`}: stopping the server and the database`);
    // A start in progress finishes first (or fails and cleans up after itself).
    await startup.catch(() => undefined);
    await tearDown(parts);
    logger.log('Stopped');
    end(0, hungUp);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => void stop(signal));
  // Writing to a closed terminal or pipe fails (EIO, EPIPE): that is a reason to stop, not a crash.
  for (const out of [process.stdout, process.stderr]) out.on('error', () => void stop('output closed'));

  startup = start(parts, pretty, () => stopping);
  try {
    await startup;
  } catch (err) {
    await tearDown(parts).catch(() => undefined);
    if (err instanceof ConfigError || err instanceof EmbeddedPostgresError) {
      process.stderr.write(`fixbid: ${err.message}\n`);
    } else {
      process.stderr.write(`fixbid: start-up failed: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    process.exit(1);
  }
}

/**
 * Ends the process. With no terminal left to restore, Node 20 fails an assertion restoring it
 * at a normal exit and spins (nodejs/node#51519): then run the exit hooks (they stop whatever
 * is still running, such as the embedded PostgreSQL) and end as a hung-up process does.
 */
function end(code: number, hungUp: boolean): void {
  if (!hungUp) process.exit(code);
  process.exitCode = code;
  process.emit('exit', code);
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}

/**
 * The app first (HTTP, then its job runner and LISTEN connection, then its pools), the Stripe
 * emulator, the database last: nothing is still connected when PostgreSQL stops.
 */
async function tearDown(parts: Parts): Promise<void> {
  await parts.app?.close();
  await parts.sandbox?.close();
  await parts.runtime?.stop();
}

async function start(parts: Parts, pretty: boolean, stopping: () => boolean): Promise<void> {
  parts.runtime = await prepareRuntime('server', (line) => {
    if (process.env.LOG_LEVEL === 'debug') logger.debug(line);
  });
  const config = loadAppConfig();
  const applied = await runMigrations(config.databaseUrl);

  // Sandbox mode: the Stripe emulator first, so the SDK has somewhere to talk to (contract §4) —
  // unless it runs already, shared by several processes (STRIPE_SANDBOX_EXTERNAL).
  parts.sandbox = config.stripe.sandbox && !config.stripe.sandboxExternal ? await startSandbox(config) : undefined;
  const app = (parts.app = await createApp(parts.sandbox?.config ?? config));
  if (applied.length) {
    logger.log(pretty ? `Database schema updated: ${applied.length} migration${applied.length === 1 ? '' : 's'} applied` : `Applied migrations: ${applied.join(', ')}`);
  }
  if (stopping()) {
    // Nest holds its logs until the app is initialised (listen), which a stop now skips.
    app.flushLogs();
    return;
  }

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
    throw new ConfigError(`Port ${config.port} on ${config.host} is already in use: stop what holds it or set PORT to another port.`);
  }
  const { port } = app.getHttpServer().address() as { port: number };
  parts.sandbox?.connect(`http://${['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host}:${port}`);
  const base = `http://${['0.0.0.0', '::'].includes(config.host) ? 'localhost' : config.host}:${port}`;
  const lines = [
    `API:      ${base}/v1`,
    `Docs:     ${base}/docs`,
    `Database: ${parts.runtime.databaseLabel}`,
    config.stripe.sandbox
      ? `Payments: SANDBOX — simulated by ${config.stripe.sandboxExternal ? 'the shared' : 'the built-in'} Stripe emulator on 127.0.0.1:${parts.sandbox?.sandbox.port ?? config.stripe.sandboxPort}; no real money moves`
      : `Payments: live Stripe API (key ${config.stripe.secretKey?.slice(0, 8)}…)`,
  ];
  if (stopping()) return;
  if (pretty) process.stdout.write(banner(lines, config.nodeEnv));
  else for (const line of lines) logger.log(line);
}

/** What a person at a terminal needs once the server is up: where it is, what it uses, how to stop it. */
function banner(lines: string[], nodeEnv: string): string {
  const bold = (text: string) => (process.env.NO_COLOR ? text : `\x1b[1m${text}\x1b[0m`);
  return ['', `  ${bold('Fixbid is ready')} (${nodeEnv})`, '', ...lines.map((l) => `    ${l}`), '', '  Press Ctrl-C to stop.', '', ''].join('\n');
}

async function startSandbox(config: AppConfig): Promise<LaunchedSandbox> {
  try {
    return await launchStripeSandbox(config, { stateFile: sandboxStateFile(config.dataDir), log: (line) => logger.warn(line) });
  } catch (err) {
    if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
    throw new ConfigError(`STRIPE_SANDBOX_PORT ${config.stripe.sandboxPort} is already in use: stop what holds it or choose another port.`);
  }
}

void main();

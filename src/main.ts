import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { AppConfig, ConfigError, loadAppConfig } from './config/app-config';
import { AlreadyRunningError } from './database/embedded-postgres';
import { runMigrations } from './database/migrate';
import { prepareRuntime, Runtime } from './database/runtime';
import { launchStripeSandbox, LaunchedSandbox, sandboxStateFile } from './payments/sandbox-runner';

const logger = new Logger('Fixbid');

async function main(): Promise<void> {
  let runtime: Runtime | undefined;
  const stopDatabase = async () => runtime?.stop();
  try {
    runtime = await prepareRuntime('server', (line) => {
      if (process.env.LOG_LEVEL === 'debug') logger.debug(line);
    });
    const config = loadAppConfig();
    const applied = await runMigrations(config.databaseUrl);
    if (applied.length) logger.log(`Applied migrations: ${applied.join(', ')}`);

    // Sandbox mode: the Stripe emulator first, so the SDK has somewhere to talk to (contract §4).
    const sandbox = config.stripe.sandbox ? await startSandbox(config) : undefined;
    const app = await createApp(sandbox?.config ?? config);
    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      logger.log(`${signal} received: stopping the server and the database`);
      await app.close();
      await sandbox?.close();
      await stopDatabase();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));

    await app.listen({ port: config.port, host: config.host });
    const { port } = app.getHttpServer().address() as { port: number };
    sandbox?.connect(`http://${['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host}:${port}`);
    const base = `http://${['0.0.0.0', '::'].includes(config.host) ? 'localhost' : config.host}:${port}`;
    logger.log(`API:      ${base}/v1`);
    logger.log(`Docs:     ${base}/docs`);
    logger.log(`Database: ${runtime.databaseLabel}`);
    logger.log(
      config.stripe.sandbox
        ? `Payments: SANDBOX — simulated by the built-in Stripe emulator on 127.0.0.1:${sandbox?.sandbox.port ?? config.stripe.sandboxPort}; no real money moves`
        : `Payments: live Stripe API (key ${config.stripe.secretKey?.slice(0, 8)}…)`,
    );
  } catch (err) {
    await stopDatabase().catch(() => undefined);
    if (err instanceof ConfigError || err instanceof AlreadyRunningError) {
      process.stderr.write(`fixbid: ${err.message}\n`);
    } else {
      process.stderr.write(`fixbid: start-up failed: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    process.exit(1);
  }
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

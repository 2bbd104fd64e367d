import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { ConfigError, loadAppConfig } from './config/app-config';
import { AlreadyRunningError } from './database/embedded-postgres';
import { runMigrations } from './database/migrate';
import { prepareRuntime, Runtime } from './database/runtime';

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

    const app = await createApp(config);
    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      logger.log(`${signal} received: stopping the server and the database`);
      await app.close();
      await stopDatabase();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));

    await app.listen({ port: config.port, host: config.host });
    const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
    logger.log(`API:      ${base}/v1`);
    logger.log(`Docs:     ${base}/docs`);
    logger.log(`Database: ${runtime.databaseLabel}`);
    logger.log(
      config.stripe.sandbox
        ? `Payments: SANDBOX — simulated by the built-in Stripe emulator on 127.0.0.1:${config.stripe.sandboxPort}; no real money moves`
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

void main();

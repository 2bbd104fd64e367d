import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateEnv } from '../config/app-config';
import { EmbeddedDatabase, startEmbeddedPostgres } from './embedded-postgres';

export interface Runtime {
  /** The embedded cluster when this process uses one; undefined with DATABASE_URL. */
  embedded?: EmbeddedDatabase;
  databaseLabel: string;
  stop(): Promise<void>;
}

/**
 * Fills in what a zero-configuration start needs before the typed config is loaded: the
 * embedded database's URL when DATABASE_URL is unset, and a JWT secret kept in .data/ so
 * sessions survive a restart. Production never gets here without both (the schema says so).
 */
export async function prepareRuntime(owner: 'server' | 'command', log: (line: string) => void = () => undefined): Promise<Runtime> {
  const env = validateEnv(process.env) as { DATA_DIR: string; NODE_ENV: string };
  const dataDir = resolve(env.DATA_DIR);
  if (!process.env.JWT_SECRET) process.env.JWT_SECRET = localJwtSecret(dataDir);
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    return { databaseLabel: `${url.hostname}:${url.port || 5432}${url.pathname}`, stop: async () => undefined };
  }
  const embedded = await startEmbeddedPostgres(dataDir, owner, log);
  process.env.DATABASE_URL = embedded.url;
  const url = new URL(embedded.url);
  return {
    embedded,
    databaseLabel: `embedded PostgreSQL at 127.0.0.1:${url.port}${url.pathname} (data in ${embedded.clusterDir})`,
    stop: () => embedded.stop(),
  };
}

function localJwtSecret(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

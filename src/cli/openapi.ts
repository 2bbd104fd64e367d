import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module';
import { loadAppConfig } from '../config/app-config';
import { buildOpenApiDocument, toSortedYaml } from '../docs/openapi';

/**
 * The API's openapi.yaml, built without a database: Nest's preview mode scans every module and
 * controller (all the document needs) but instantiates no provider, so TypeORM never connects.
 */
export async function renderOpenApiYaml(): Promise<string> {
  // Placeholder settings: nothing reads them in preview mode, but module factories take a config.
  const config = loadAppConfig({
    NODE_ENV: 'development',
    DATABASE_URL: 'postgres://openapi:unused@127.0.0.1:9/unused',
    JWT_SECRET: 'openapi-generation-placeholder-secret-not-used',
    LOG_LEVEL: 'silent',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(), {
    preview: true,
    logger: false,
  });
  try {
    return toSortedYaml(buildOpenApiDocument(app));
  } finally {
    await app.close();
  }
}

/** The directory holding package.json, from src/cli (ts) or dist/src/cli (js). */
function projectRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + from);
    dir = parent;
  }
  return dir;
}

/**
 * npm run openapi [-- --out <file>]: writes openapi.yaml at the project root, then the typed
 * client's client/schema.gen.ts from it (scripts/generate-client.mjs). With --out, only the spec.
 */
async function main(): Promise<void> {
  const root = projectRoot(__dirname);
  const outFlag = process.argv.indexOf('--out');
  const out = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : join(root, 'openapi.yaml');
  writeFileSync(out, await renderOpenApiYaml());
  console.log(`Wrote ${out}`);
  if (outFlag < 0) execFileSync(process.execPath, [join(root, 'scripts', 'generate-client.mjs')], { stdio: 'inherit' });
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`fixbid: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  });
}

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadAppConfig } from '../../src/config/app-config';

// No Docker engine or compose plugin runs here: these read the files the way compose and
// BuildKit would and check what the contract's "Running" section needs from them.
const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}; returns the missing required names too. */
function interpolate(text: string, env: Record<string, string>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const out = text.replace(/\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    if (env[name]) return env[name];
    if (op === ':?') missing.push(name);
    return op === ':-' ? (arg ?? '') : '';
  });
  return { text: out, missing };
}

const SECRETS = {
  POSTGRES_PASSWORD: 'pw0123456789',
  JWT_SECRET: 'j'.repeat(48),
  STRIPE_SECRET_KEY: 'sk_test_0123456789',
  STRIPE_WEBHOOK_SECRET: 'whsec_0123456789',
};

describe('docker-compose.yml', () => {
  const raw = read('docker-compose.yml');
  const compose = parse(interpolate(raw, SECRETS).text);
  const { postgres, api } = compose.services;

  it('runs postgres:17 with a pg_isready healthcheck and a named volume for its data', () => {
    expect(postgres.image).toBe('postgres:17');
    expect(postgres.healthcheck.test.join(' ')).toMatch(/pg_isready/);
    expect(postgres.volumes).toContain('pgdata:/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes)).toContain('pgdata');
  });

  it('builds the api from the Dockerfile, starts it after postgres is healthy, and checks /health/ready', () => {
    expect(api.build).toMatchObject({ context: '.', dockerfile: 'Dockerfile' });
    expect(api.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(api.healthcheck.test.join(' ')).toMatch(/\/health\/ready/);
    expect(api.ports).toEqual(['3000:3000']);
  });

  it('refuses to start without each secret (${VAR:?message})', () => {
    expect(interpolate(raw, {}).missing.sort()).toEqual(
      ['JWT_SECRET', 'POSTGRES_PASSWORD', 'POSTGRES_PASSWORD', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
    );
  });

  it("gives the api an environment the server's config schema accepts as production, on the compose database", () => {
    expect(Object.keys(api.environment)).toEqual(expect.arrayContaining([
      'NODE_ENV', 'DATABASE_URL', 'JWT_SECRET', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'PUBLIC_BASE_URL',
    ]));
    const config = loadAppConfig(api.environment);
    expect(config).toMatchObject({
      nodeEnv: 'production',
      databaseUrl: `postgres://fixbid:${SECRETS.POSTGRES_PASSWORD}@postgres:5432/fixbid`,
      stripe: { sandbox: false, secretKey: SECRETS.STRIPE_SECRET_KEY, webhookSecret: SECRETS.STRIPE_WEBHOOK_SECRET },
      publicBaseUrl: 'http://localhost:3000',
    });
    expect(postgres.environment).toMatchObject({ POSTGRES_USER: 'fixbid', POSTGRES_DB: 'fixbid', POSTGRES_PASSWORD: SECRETS.POSTGRES_PASSWORD });
  });
});

describe('Dockerfile', () => {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: { name: string; lines: string[] }[] = [];
  for (const line of lines) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
    if (from) stages.push({ name: from[1], lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  const stage = (name: string) => stages.find((s) => s.name === name)!.lines.join('\n');

  it('is multi-stage: build runs npm ci and npm run build; a slim runtime gets production dependencies and dist/ only', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'prod-deps', 'runtime']);
    expect(stage('build')).toMatch(/^RUN npm ci\b/m);
    expect(stage('build')).toMatch(/^RUN npm run build$/m);
    expect(stage('prod-deps')).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(stage('prod-deps')).toMatch(/npm rebuild argon2/);
    expect(stage('runtime')).toMatch(/^COPY --from=prod-deps \/app\/node_modules \.\/node_modules$/m);
    expect(stage('runtime')).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(stage('runtime')).not.toMatch(/^COPY \. /m);
    expect(lines.find((l) => / AS runtime$/.test(l))).toMatch(/-slim AS runtime$/);
  });

  it('runs as a non-root user, with a HEALTHCHECK on /health/ready, starting the compiled server', () => {
    const user = /^USER\s+(\S+)/m.exec(stage('runtime'));
    expect(user?.[1]).toBeDefined();
    expect(user?.[1]).not.toMatch(/^(root|0)(:|$)/);
    expect(stage('runtime')).toMatch(/^HEALTHCHECK .*\/health\/ready/m);
    expect(stage('runtime')).toMatch(/^CMD \["node", "--max-old-space-size=192", "dist\/src\/main\.js"\]$/m);
    expect(existsSync(join(ROOT, 'src', 'main.ts'))).toBe(true); // tsconfig rootDir "." → dist/src/main.js
  });

  it('.dockerignore keeps local state and secrets out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data', '.env', '.git']));
  });
});

import { configSchema } from './config.schema';

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  databaseUrl: string;
  databasePoolSize: number;
  dataDir: string;
  jwtSecret: string;
  /**
   * `reconcileIntervalSeconds`: how often the payments reconciliation job runs; 0 = only on demand.
   * `sandboxExternal`: sandbox mode with an emulator started by someone else (shared by several processes).
   */
  stripe: { secretKey?: string; webhookSecret?: string; sandboxPort: number; sandbox: boolean; sandboxExternal?: boolean; reconcileIntervalSeconds: number };
  platformFeeBps: number;
  paymentWindowHours: number;
  reviewWindowHours: number;
  maxHoldDays: number;
  /** REOPEN_RESOLVE_DAYS: a reopened job not resolved again within it goes to an admin (a warranty dispute). */
  reopenResolveDays: number;
  /** WARRANTY_HOLDBACK_BPS: the part of the expert's payout held until a bid's warranty ends. */
  warrantyHoldbackBps: number;
  /** Hours between a release and the earliest Transfer (PAYOUT_HOLD_HOURS): a chargeback in that time finds the money still here. */
  payoutHoldHours: number;
  publicBaseUrl?: string;
  logLevel: string;
  /** Which proxies may set X-Forwarded-For (Fastify trustProxy): 'loopback' by default so clients cannot spoof their IP. */
  trustProxy: string;
  rateLimitPerMinute: number;
  authRateLimitPerMinute: number;
  /** Per user, across the routes that call Stripe in the request (account links are single-use). */
  stripeRateLimitPerMinute: number;
  /** Per address, across the public reads (@PublicRead) made without credentials. */
  publicRateLimitPerMinute: number;
  admin?: { email: string; password: string };
  /**
   * pg-boss polling; `workers: false` runs a process that schedules but never executes jobs;
   * `expireSeconds`: a job running longer is retried elsewhere (how long a dead process's jobs wait).
   */
  jobs: { pollSeconds: number; workers: boolean; expireSeconds?: number };
  /** API4: bids one expert may place per rolling hour (withdrawn ones count). */
  bidQuotaPerHour: number;
  /** Events (GET /v1/events, webhook deliveries) are kept this many days. */
  eventRetentionDays: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/** Validates the environment against the one schema; throws a ConfigError naming every bad setting. */
export function validateEnv(env: Env): Record<string, unknown> {
  const { error, value } = configSchema.validate(env, { abortEarly: false, convert: true });
  if (error) {
    const lines = error.details.map((d) => `  ${String(d.path.join('.'))}: ${d.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return value as Record<string, unknown>;
}

/**
 * The typed settings object. `databaseUrl` and `jwtSecret` must be resolved before this is
 * called outside production (main.ts fills them in from the embedded database and .data/).
 */
export function loadAppConfig(env: Env = process.env): AppConfig {
  const v = validateEnv(env) as Record<string, never>;
  if (!v.DATABASE_URL) throw new ConfigError('Invalid configuration:\n  DATABASE_URL: is required');
  if (!v.JWT_SECRET) throw new ConfigError('Invalid configuration:\n  JWT_SECRET: is required');
  const secretKey = v.STRIPE_SECRET_KEY as string | undefined;
  return {
    nodeEnv: v.NODE_ENV,
    host: v.HOST,
    port: v.PORT,
    databaseUrl: v.DATABASE_URL,
    databasePoolSize: v.DATABASE_POOL_SIZE,
    dataDir: v.DATA_DIR,
    jwtSecret: v.JWT_SECRET,
    stripe: {
      secretKey,
      webhookSecret: v.STRIPE_WEBHOOK_SECRET,
      sandboxPort: v.STRIPE_SANDBOX_PORT,
      sandbox: !secretKey,
      sandboxExternal: !secretKey && v.STRIPE_SANDBOX_EXTERNAL,
      reconcileIntervalSeconds: v.STRIPE_RECONCILE_INTERVAL_SECONDS,
    },
    platformFeeBps: v.PLATFORM_FEE_BPS,
    paymentWindowHours: v.PAYMENT_WINDOW_HOURS,
    reviewWindowHours: v.REVIEW_WINDOW_HOURS,
    maxHoldDays: v.MAX_HOLD_DAYS,
    reopenResolveDays: v.REOPEN_RESOLVE_DAYS,
    warrantyHoldbackBps: v.WARRANTY_HOLDBACK_BPS,
    payoutHoldHours: v.PAYOUT_HOLD_HOURS,
    publicBaseUrl: v.PUBLIC_BASE_URL,
    logLevel: v.LOG_LEVEL,
    trustProxy: v.TRUST_PROXY,
    rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE,
    authRateLimitPerMinute: v.AUTH_RATE_LIMIT_PER_MINUTE,
    stripeRateLimitPerMinute: v.STRIPE_RATE_LIMIT_PER_MINUTE,
    publicRateLimitPerMinute: v.PUBLIC_RATE_LIMIT_PER_MINUTE,
    jobs: { pollSeconds: v.JOB_POLL_SECONDS, workers: v.JOB_WORKERS, expireSeconds: v.JOB_EXPIRE_SECONDS },
    bidQuotaPerHour: v.BID_QUOTA_PER_HOUR,
    eventRetentionDays: v.EVENT_RETENTION_DAYS,
    admin: v.ADMIN_EMAIL ? { email: v.ADMIN_EMAIL, password: v.ADMIN_PASSWORD } : undefined,
  };
}

import Joi from 'joi';

/** Every setting Fixbid reads, in one schema: a bad value stops the start and names itself. */
export const configSchema = Joi.object({
  NODE_ENV: Joi.string().valid('development', 'production', 'test').default('development'),
  HOST: Joi.string().default('0.0.0.0'),
  PORT: Joi.number().integer().min(0).max(65535).default(3000),
  DATABASE_URL: Joi.string()
    .uri({ scheme: ['postgres', 'postgresql'] })
    .when('NODE_ENV', { is: 'production', then: Joi.required() }),
  DATABASE_POOL_SIZE: Joi.number().integer().min(1).max(200).default(20),
  DATA_DIR: Joi.string().default('.data'),
  JWT_SECRET: Joi.string()
    .min(32)
    .when('NODE_ENV', { is: 'production', then: Joi.required() }),
  STRIPE_SECRET_KEY: Joi.string()
    .pattern(/^(sk|rk)_(test|live)_/)
    .when('NODE_ENV', { is: 'production', then: Joi.required() }),
  STRIPE_WEBHOOK_SECRET: Joi.string()
    .pattern(/^whsec_/)
    .when('NODE_ENV', { is: 'production', then: Joi.required() })
    .when('STRIPE_SANDBOX_EXTERNAL', { is: true, then: Joi.required() }),
  STRIPE_SANDBOX_PORT: Joi.number().integer().min(0).max(65535).default(12111),
  // Sandbox mode without starting the emulator: use the one already on STRIPE_SANDBOX_PORT, so
  // several server processes share one sandbox (npm run chaos). Its events are signed with
  // STRIPE_WEBHOOK_SECRET, and whoever started it says where it posts them.
  STRIPE_SANDBOX_EXTERNAL: Joi.boolean().default(false),
  // Reconciliation with Stripe (payments): how often, once across all processes; 0 turns it off.
  STRIPE_RECONCILE_INTERVAL_SECONDS: Joi.number().integer().min(0).max(86400).default(300),
  PLATFORM_FEE_BPS: Joi.number().integer().min(0).max(10000).default(1500),
  PAYMENT_WINDOW_HOURS: Joi.number().integer().min(1).max(720).default(24),
  REVIEW_WINDOW_HOURS: Joi.number().integer().min(1).max(2160).default(168),
  MAX_HOLD_DAYS: Joi.number().integer().min(1).max(365).default(60),
  /** Days a reopened job has to be resolved again before it goes to an admin as a warranty dispute. */
  REOPEN_RESOLVE_DAYS: Joi.number().integer().min(1).max(60).default(7),
  /** The share of the expert's payout held back while a bid's warranty runs (basis points). */
  WARRANTY_HOLDBACK_BPS: Joi.number().integer().min(0).max(10000).default(1000),
  /** The security hold between a release and its Transfer, in hours (0: pay at once). */
  PAYOUT_HOLD_HOURS: Joi.number().integer().min(0).max(24 * 90).default(0),
  PUBLIC_BASE_URL: Joi.string().uri({ scheme: ['http', 'https'] }),
  TRUST_PROXY: Joi.string().default('loopback'),
  LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').default('info'),
  RATE_LIMIT_PER_MINUTE: Joi.number().integer().min(1).default(600),
  AUTH_RATE_LIMIT_PER_MINUTE: Joi.number().integer().min(1).default(20),
  // Requests per minute per user on the routes that call Stripe while the caller waits.
  STRIPE_RATE_LIMIT_PER_MINUTE: Joi.number().integer().min(1).default(10),
  // Anonymous reads of the public routes (categories, experts, solutions) per minute per address.
  PUBLIC_RATE_LIMIT_PER_MINUTE: Joi.number().integer().min(1).default(120),
  JOB_POLL_SECONDS: Joi.number().min(0.5).max(60).default(2),
  JOB_WORKERS: Joi.boolean().default(true),
  // How long a job may run before pg-boss hands it to another process: how long the jobs a
  // killed process was running wait before they are retried.
  JOB_EXPIRE_SECONDS: Joi.number().integer().min(5).max(86400).default(900),
  BID_QUOTA_PER_HOUR: Joi.number().integer().min(1).max(10000).default(60),
  // How long events are kept for GET /v1/events and webhook redelivery (the contract: at least 30 days by default).
  EVENT_RETENTION_DAYS: Joi.number().integer().min(1).max(3650).default(30),
  ADMIN_EMAIL: Joi.string().email(),
  ADMIN_PASSWORD: Joi.string().min(10).max(128),
})
  .and('ADMIN_EMAIL', 'ADMIN_PASSWORD')
  .unknown(true);

import { ConfigError, loadAppConfig, validateEnv } from './app-config';

const base = { DATABASE_URL: 'postgres://u:p@localhost:5432/db', JWT_SECRET: 'x'.repeat(40) };

describe('settings', () => {
  it('applies the contract defaults', () => {
    const config = loadAppConfig(base);
    expect(config).toMatchObject({
      port: 3000,
      platformFeeBps: 1500,
      paymentWindowHours: 24,
      reviewWindowHours: 168,
      maxHoldDays: 60,
      reopenResolveDays: 7,
      warrantyHoldbackBps: 1000,
      payoutHoldHours: 0,
      publicRateLimitPerMinute: 120,
      stripe: { sandbox: true, sandboxPort: 12111 },
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PLATFORM_FEE_BPS', '10001'],
    ['PLATFORM_FEE_BPS', '12.5'],
    ['DATABASE_URL', 'mysql://x'],
    ['STRIPE_SECRET_KEY', 'pk_test_123'],
    ['STRIPE_WEBHOOK_SECRET', 'nope'],
    ['LOG_LEVEL', 'loud'],
    ['JWT_SECRET', 'short'],
    ['PUBLIC_RATE_LIMIT_PER_MINUTE', '0'],
  ])('a bad %s (%s) stops the start with a message naming it', (name, value) => {
    expect(() => validateEnv({ ...base, [name]: value })).toThrow(ConfigError);
    expect(() => validateEnv({ ...base, [name]: value })).toThrow(new RegExp(`\\b${name}\\b`));
  });

  it('names every bad setting at once', () => {
    expect(() => validateEnv({ PORT: 'x', PLATFORM_FEE_BPS: '-1' })).toThrow(/PORT[\s\S]*PLATFORM_FEE_BPS/);
  });

  it('production requires DATABASE_URL, JWT_SECRET and the Stripe keys', () => {
    let message = '';
    try {
      validateEnv({ NODE_ENV: 'production' });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of ['DATABASE_URL', 'JWT_SECRET', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']) {
      expect(message).toContain(name);
    }
    expect(() =>
      validateEnv({
        ...base,
        NODE_ENV: 'production',
        STRIPE_SECRET_KEY: 'sk_live_abc',
        STRIPE_WEBHOOK_SECRET: 'whsec_abc',
      }),
    ).not.toThrow();
  });

  it('a shared sandbox (STRIPE_SANDBOX_EXTERNAL) needs the webhook secret its events are signed with', () => {
    expect(() => validateEnv({ ...base, STRIPE_SANDBOX_EXTERNAL: 'true' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    const config = loadAppConfig({ ...base, STRIPE_SANDBOX_EXTERNAL: 'true', STRIPE_WEBHOOK_SECRET: 'whsec_shared', STRIPE_SANDBOX_PORT: '4242' });
    expect(config.stripe).toMatchObject({ sandbox: true, sandboxExternal: true, sandboxPort: 4242, webhookSecret: 'whsec_shared' });
    expect(loadAppConfig(base).stripe.sandboxExternal).toBe(false);
  });

  it('JOB_EXPIRE_SECONDS: 15 minutes unless set; at least 5 s', () => {
    expect(loadAppConfig(base).jobs.expireSeconds).toBe(900);
    expect(loadAppConfig({ ...base, JOB_EXPIRE_SECONDS: '20' }).jobs.expireSeconds).toBe(20);
    expect(() => validateEnv({ ...base, JOB_EXPIRE_SECONDS: '2' })).toThrow(/JOB_EXPIRE_SECONDS/);
  });

  it('sandbox mode is exactly "no STRIPE_SECRET_KEY"', () => {
    expect(loadAppConfig({ ...base, STRIPE_SECRET_KEY: 'sk_test_abc' }).stripe.sandbox).toBe(false);
  });

  it('ADMIN_EMAIL and ADMIN_PASSWORD come together', () => {
    expect(() => validateEnv({ ...base, ADMIN_EMAIL: 'a@example.com' })).toThrow(/ADMIN_PASSWORD/);
  });
});

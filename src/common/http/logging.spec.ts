import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACT_PATHS } from './logging';

describe('log redaction', () => {
  it('never writes authorization headers, API keys, passwords, tokens or Stripe secrets', () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
    logger.info({
      req: { headers: { authorization: 'Bearer eyJsecret', 'x-api-key': 'fbk_1_secret', 'stripe-signature': 't=1,v1=abc' } },
      password: 'hunter2hunter2',
      body: { password: 'p4ssword-123', refreshToken: 'rt_secret', apiKey: 'fbk_2_secret' },
      stripe: { secretKey: 'sk_test_secret', webhookSecret: 'whsec_secret' },
      escrow: { clientSecret: 'pi_123_secret_456' },
    });
    const out = lines.join('');
    for (const secret of ['eyJsecret', 'fbk_1_secret', 'v1=abc', 'hunter2', 'p4ssword', 'rt_secret', 'fbk_2_secret', 'sk_test_secret', 'whsec_secret', 'pi_123_secret']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[redacted]');
  });
});

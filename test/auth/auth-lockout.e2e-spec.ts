import { createHash } from 'node:crypto';
import { AdminAccountsService } from '../../src/auth/admin-accounts.service';
import { emailKey } from '../../src/auth/domain/login-protection';
import { LoginProtectionService } from '../../src/auth/login-protection.service';
import { PasswordHasher } from '../../src/auth/password-hasher';
import { RefreshTokensService } from '../../src/auth/refresh-tokens.service';
import { createTestApp, TestApp } from '../support/test-app';
import { PASSWORD, registerUser, uniqueEmail } from '../support/factories';

/**
 * Login protection (S2, S3, S7, L1, L2): per (email, address) a growing refusal; per email,
 * after many failures from many addresses, a cooling-off during which only the account's known
 * devices (deviceToken) log in. Every refusal is the same 401 as a wrong password or an unknown
 * email. Time passes by moving the stored timestamps back ("the clock in the database").
 */
describe('auth: login protection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(); // TRUST_PROXY is loopback: the tests' X-Forwarded-For is the client address
  });
  afterAll(() => t.close());

  let addresses = 0;
  /** A client address of its own for each call (TEST-NET and shared ranges; never routed). */
  const freshIp = () => {
    addresses += 1;
    return `100.64.${addresses >> 8}.${addresses & 255}`;
  };

  interface Client {
    ip?: string;
    deviceToken?: string;
  }
  const login = (email: string, password: string, client: Client = {}) => {
    const req = t.http.post('/v1/auth/login');
    if (client.ip) req.set('X-Forwarded-For', client.ip);
    return req.send(client.deviceToken === undefined ? { email, password } : { email, password, deviceToken: client.deviceToken });
  };

  /** The 401 every failed, unknown or refused login gets, requestId aside. */
  const REFUSAL = { type: 'authentication', code: 'invalid_credentials', message: 'The email or password is incorrect.' };
  const expectRefusal = (res: { status: number; body: { error: Record<string, unknown> }; headers: Record<string, string> }) => {
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { ...REFUSAL, requestId: res.headers['x-request-id'] } });
    expect(res.headers['retry-after']).toBeUndefined();
  };

  /** Moves this email's clock: every stored time of its counters and its account's devices goes back. */
  async function passTime(email: string, seconds: number): Promise<void> {
    const back = `make_interval(secs => $2)`;
    await t.ds.query(
      `UPDATE login_protection SET window_started_at = window_started_at - ${back}, last_attempt_at = last_attempt_at - ${back},
              refused_until = refused_until - ${back}, forget_at = forget_at - ${back}
        WHERE email_key = $1`,
      [emailKey(email), seconds],
    );
    await t.ds.query(
      `UPDATE login_devices SET last_attempt_at = last_attempt_at - ${back}, refused_until = refused_until - ${back}
        WHERE user_id = (SELECT id FROM users WHERE email = $1)`,
      [email, seconds],
    );
  }

  /** The pair's counter: failures and how long its refusal runs from its last counted attempt. */
  async function pairState(email: string): Promise<Array<{ failures: number; refusedSeconds: number | null }>> {
    const rows: Array<{ failures: number; refused_seconds: number | null }> = await t.ds.query(
      `SELECT failures, extract(epoch FROM refused_until - last_attempt_at)::int AS refused_seconds
         FROM login_protection WHERE email_key = $1 AND scope = 'pair' ORDER BY last_attempt_at`,
      [emailKey(email)],
    );
    return rows.map((r) => ({ failures: r.failures, refusedSeconds: r.refused_seconds }));
  }

  /** 20 wrong passwords on one email, each from an address of its own. */
  async function flood(email: string): Promise<void> {
    for (let i = 0; i < 20; i++) expectRefusal(await login(email, `wrong password ${i}`, { ip: freshIp() }));
  }

  const time = async (call: () => Promise<unknown>) => {
    const started = process.hrtime.bigint();
    await call();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

  describe('S2 one answer, in about the same time', () => {
    it('S2 wrong email, wrong password and a refused attempt → the same 401 body, medians within a small factor', async () => {
      const u = await registerUser(t);
      const v = await registerUser(t);
      const refusedIp = freshIp();
      for (let i = 0; i < 5; i++) await login(u.email, 'wrong password!', { ip: refusedIp }).expect(401);

      // v's 8 wrong passwords, each from an address of its own: none is refused (10 would protect v's email).
      const wrongPassword = () => login(v.email, 'wrong password!', { ip: freshIp() });
      const unknownEmail = () => login(uniqueEmail('ghost'), 'wrong password!', { ip: freshIp() });
      const refused = () => login(u.email, PASSWORD, { ip: refusedIp });
      for (const call of [wrongPassword, unknownEmail, refused]) expectRefusal(await call());

      const samples = { wrongPassword: [] as number[], unknownEmail: [] as number[], refused: [] as number[] };
      for (let i = 0; i < 7; i++) {
        samples.wrongPassword.push(await time(wrongPassword));
        samples.unknownEmail.push(await time(unknownEmail));
        samples.refused.push(await time(refused));
      }
      // argon2 (~tens of ms) dominates each; without the dummy verification an unknown email or a
      // refusal would answer in ~1 ms. Loose bounds keep this stable on a busy machine.
      const base = median(samples.wrongPassword);
      for (const other of [median(samples.unknownEmail), median(samples.refused)]) {
        expect(other / base).toBeGreaterThan(0.4);
        expect(other / base).toBeLessThan(2.5);
      }
    });
  });

  describe('S3 per (email, address): a growing refusal', () => {
    it('S3 5 wrong passwords from one address → that pair is refused with the same 401, even with the right password; other addresses log in', async () => {
      const u = await registerUser(t);
      const ip = freshIp();
      for (let i = 0; i < 5; i++) expectRefusal(await login(u.email, `wrong password ${i}`, { ip }));
      expectRefusal(await login(u.email, PASSWORD, { ip }));
      expect(await pairState(u.email)).toEqual([{ failures: 5, refusedSeconds: 60 }]);
      await login(u.email, PASSWORD, { ip: freshIp() }).expect(200);
    });

    it('S3 the refusal grows: 1 min, then 2 min, then 4 min after each further failure', async () => {
      const u = await registerUser(t);
      const ip = freshIp();
      for (let i = 0; i < 5; i++) await login(u.email, 'wrong password!', { ip }).expect(401);
      expect(await pairState(u.email)).toEqual([{ failures: 5, refusedSeconds: 60 }]);

      await passTime(u.email, 61);
      await login(u.email, 'wrong password!', { ip }).expect(401); // checked: the refusal had run out
      expect(await pairState(u.email)).toEqual([{ failures: 6, refusedSeconds: 120 }]);
      await passTime(u.email, 61);
      expectRefusal(await login(u.email, PASSWORD, { ip })); // 61 s of 120: still refused, not counted
      expect(await pairState(u.email)).toEqual([{ failures: 6, refusedSeconds: 120 }]);

      await passTime(u.email, 60);
      await login(u.email, 'wrong password!', { ip }).expect(401);
      expect(await pairState(u.email)).toEqual([{ failures: 7, refusedSeconds: 240 }]);
      await passTime(u.email, 241);
      await login(u.email, PASSWORD, { ip }).expect(200);
      expect(await pairState(u.email)).toEqual([]); // a success from the pair resets it
    });

    it('S3 a successful login resets the pair: 4 failures, success, 4 failures, success', async () => {
      const u = await registerUser(t);
      const ip = freshIp();
      for (let i = 0; i < 4; i++) await login(u.email, 'wrong password!', { ip }).expect(401);
      expect(await pairState(u.email)).toEqual([{ failures: 4, refusedSeconds: null }]);
      await login(u.email, PASSWORD, { ip }).expect(200);
      expect(await pairState(u.email)).toEqual([]);
      for (let i = 0; i < 4; i++) await login(u.email, 'wrong password!', { ip }).expect(401);
      await login(u.email, PASSWORD, { ip }).expect(200);
    });

    it('L1 20 wrong passwords at once from one address → exactly 5 are checked; the refusal is the first one, 1 minute', async () => {
      const u = await registerUser(t);
      const ip = freshIp();
      const results = await Promise.all(Array.from({ length: 20 }, () => login(u.email, 'wrong password!', { ip })));
      for (const res of results) expectRefusal(res);
      expect(await pairState(u.email)).toEqual([{ failures: 5, refusedSeconds: 60 }]);
      expectRefusal(await login(u.email, PASSWORD, { ip }));
    });

    it('L1 the counters are shared by server processes: failures on two instances add up', async () => {
      const second = await createTestApp({}, { databaseUrl: t.databaseUrl, shareSandboxWith: t });
      try {
        const u = await registerUser(t);
        const ip = freshIp();
        for (let i = 0; i < 5; i++) {
          await (i % 2 ? second : t).http.post('/v1/auth/login').set('X-Forwarded-For', ip).send({ email: u.email, password: 'wrong password!' }).expect(401);
        }
        const res = await second.http.post('/v1/auth/login').set('X-Forwarded-For', ip).send({ email: u.email, password: PASSWORD });
        expectRefusal(res);
      } finally {
        await second.close();
      }
    });
  });

  describe('L2 many addresses: the email is protected, its known devices are not kept out', () => {
    it('L2 20 wrong passwords on one email from many addresses → a new device gets the same 401 with the right password; the owner\'s known device logs in', async () => {
      const u = await registerUser(t);
      const owner = await login(u.email, PASSWORD, { ip: freshIp() }).expect(200);
      const deviceToken: string = owner.body.deviceToken;
      expect(Object.keys(owner.body).sort()).toEqual(['accessToken', 'deviceToken', 'refreshToken', 'user']);
      expect(deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

      await flood(u.email);
      const [email] = await t.ds.query(`SELECT failures, refused_until > now() AS protected FROM login_protection WHERE key = $1`, [emailKey(u.email)]);
      expect(email).toEqual({ failures: 10, protected: true });

      expectRefusal(await login(u.email, PASSWORD, { ip: freshIp() })); // a new device, the right password
      expectRefusal(await login(u.email, PASSWORD, { ip: freshIp(), deviceToken: 'x'.repeat(43) })); // a made-up token is no device

      const known = await login(u.email, PASSWORD, { ip: freshIp(), deviceToken }).expect(200);
      expect(known.body.user.id).toBe(u.id);
      expect(known.body.deviceToken).toBe(deviceToken); // the same device, good for another year

      // S7 even from an address the attacker shares and got refused, the owner's device logs in.
      const shared = freshIp();
      for (let i = 0; i < 5; i++) await login(u.email, 'wrong password!', { ip: shared });
      await login(u.email, PASSWORD, { ip: shared, deviceToken }).expect(200);
    });

    it('L2 after the cooling-off (15 minutes) a new device logs in again', async () => {
      const u = await registerUser(t);
      await flood(u.email);
      const ip = freshIp();
      expectRefusal(await login(u.email, PASSWORD, { ip }));
      await passTime(u.email, 14 * 60);
      expectRefusal(await login(u.email, PASSWORD, { ip }));
      await passTime(u.email, 61);
      const res = await login(u.email, PASSWORD, { ip }).expect(200);
      expect(res.body.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('L2 the state lives in PostgreSQL, one row per email and per pair that counted, and forgotten rows are deleted', async () => {
      const u = await registerUser(t);
      await flood(u.email);
      const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM login_protection WHERE email_key = $1`, [emailKey(u.email)]);
      expect(n).toBe(11); // the email, and the pairs of the 10 addresses counted before it was protected: refusals write nothing
      await passTime(u.email, 25 * 60 * 60);
      await t.app.get(LoginProtectionService).deleteForgotten(new Date());
      const [{ left }] = await t.ds.query(`SELECT count(*)::int AS left FROM login_protection WHERE email_key = $1`, [emailKey(u.email)]);
      expect(left).toBe(0);
      await login(u.email, PASSWORD, { ip: freshIp() }).expect(200);
    });

    it('S7 the known device\'s own mistakes are its own: refused after 5, while other clients still log in', async () => {
      const u = await registerUser(t);
      const { deviceToken } = (await login(u.email, PASSWORD, { ip: freshIp() }).expect(200)).body as { deviceToken: string };
      for (let i = 0; i < 5; i++) expectRefusal(await login(u.email, 'wrong password!', { ip: freshIp(), deviceToken }));
      expectRefusal(await login(u.email, PASSWORD, { ip: freshIp(), deviceToken }));
      // Nothing was counted against the email or any pair: other clients are not affected.
      expect(await pairState(u.email)).toEqual([]);
      await login(u.email, PASSWORD, { ip: freshIp() }).expect(200);
      await passTime(u.email, 61);
      await login(u.email, PASSWORD, { ip: freshIp(), deviceToken }).expect(200);
    });
  });

  it('admin:create lifts the email\'s protection, its pairs\' refusals and its devices\' refusals', async () => {
    const u = await registerUser(t);
    const { deviceToken } = (await login(u.email, PASSWORD, { ip: freshIp() }).expect(200)).body as { deviceToken: string };
    for (let i = 0; i < 5; i++) await login(u.email, 'wrong password!', { ip: freshIp(), deviceToken });
    await flood(u.email);
    const ip = freshIp();
    expectRefusal(await login(u.email, PASSWORD, { ip }));
    expectRefusal(await login(u.email, PASSWORD, { ip: freshIp(), deviceToken }));
    await new AdminAccountsService(t.ds, new PasswordHasher(), new RefreshTokensService(t.ds)).createOrUpdateAdmin({ email: u.email, password: 'brand new password' });
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM login_protection WHERE email_key = $1`, [emailKey(u.email)]);
    expect(n).toBe(0);
    await login(u.email, 'brand new password', { ip: freshIp(), deviceToken }).expect(200);
    await login(u.email, 'brand new password', { ip }).expect(200);
  });

  describe('S7 nothing tells whether an email exists', () => {
    it('S7 an unknown email flooded the same way answers identically, and is counted the same way', async () => {
      const u = await registerUser(t);
      const ghost = uniqueEmail('ghost');
      const answers = async (email: string) => {
        const bodies: unknown[] = [];
        for (let i = 0; i < 20; i++) {
          const res = await login(email, `wrong password ${i}`, { ip: freshIp() });
          bodies.push({ status: res.status, body: { ...res.body, error: { ...res.body.error, requestId: undefined } }, retryAfter: res.headers['retry-after'] });
        }
        const after = await login(email, PASSWORD, { ip: freshIp() });
        bodies.push({ status: after.status, body: { ...after.body, error: { ...after.body.error, requestId: undefined } } });
        return bodies;
      };
      expect(await answers(ghost)).toEqual(await answers(u.email));
      const state = (email: string) =>
        t.ds.query(`SELECT scope, failures, refused_until IS NOT NULL AS refused FROM login_protection WHERE email_key = $1 ORDER BY scope, failures`, [emailKey(email)]);
      expect(await state(ghost)).toEqual(await state(u.email));
    });

    it('S7 a deviceToken of another user does not help', async () => {
      const a = await registerUser(t);
      const b = await registerUser(t);
      const { deviceToken } = (await login(a.email, PASSWORD, { ip: freshIp() }).expect(200)).body as { deviceToken: string };
      await flood(b.email);
      expectRefusal(await login(b.email, PASSWORD, { ip: freshIp(), deviceToken }));
      // Nor for an unknown email; and A's device still works for A.
      expectRefusal(await login(uniqueEmail('ghost'), PASSWORD, { ip: freshIp(), deviceToken }));
      await login(a.email, PASSWORD, { ip: freshIp(), deviceToken }).expect(200);
    });

    it('S7 an expired device token is no device', async () => {
      const u = await registerUser(t);
      const { deviceToken } = (await login(u.email, PASSWORD, { ip: freshIp() }).expect(200)).body as { deviceToken: string };
      await flood(u.email);
      await t.ds.query(`UPDATE login_devices SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [u.id]);
      expectRefusal(await login(u.email, PASSWORD, { ip: freshIp(), deviceToken }));
    });

    it('S7 device tokens are stored hashed: only a SHA-256 digest, never the token', async () => {
      const u = await registerUser(t);
      const { deviceToken } = (await login(u.email, PASSWORD, { ip: freshIp() }).expect(200)).body as { deviceToken: string };
      const rows: Array<{ token_hash: string; row: string }> = await t.ds.query(
        `SELECT token_hash, d::text AS row FROM login_devices d WHERE user_id = $1`,
        [u.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0].token_hash).toBe(createHash('sha256').update(`device:${deviceToken}`).digest('hex'));
      expect(rows[0].row).not.toContain(deviceToken);
      // Nor are emails or addresses stored by the counters: their keys are digests.
      await login(u.email, 'wrong password!', { ip: freshIp() }).expect(401);
      const [dump] = await t.ds.query(`SELECT string_agg(p::text, ' ') AS text FROM login_protection p WHERE email_key = $1`, [emailKey(u.email)]);
      expect(dump.text).not.toContain(u.email);
    });

    it('unknown emails answer the same 401 every time', async () => {
      const ghost = uniqueEmail('ghost');
      for (let i = 0; i < 7; i++) expectRefusal(await login(ghost, 'wrong password!'));
    });

    it('refusing one email leaves others alone', async () => {
      const a = await registerUser(t);
      const b = await registerUser(t);
      const ip = freshIp();
      await flood(a.email);
      for (let i = 0; i < 5; i++) await login(a.email, 'wrong password!', { ip }).expect(401);
      expectRefusal(await login(a.email, PASSWORD, { ip }));
      await login(b.email, PASSWORD, { ip }).expect(200);
    });
  });

  describe('deviceToken validation', () => {
    it.each([
      ['empty', ''],
      ['too long', 'x'.repeat(257)],
      ['not a string', 42],
    ])('a %s deviceToken → 400 invalid_field', async (_name, deviceToken) => {
      const u = await registerUser(t);
      const res = await t.http.post('/v1/auth/login').send({ email: u.email, password: PASSWORD, deviceToken }).expect(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_field', param: 'deviceToken' });
    });

    it('a null deviceToken → 400 on deviceToken (absent is fine)', async () => {
      const u = await registerUser(t);
      const res = await t.http.post('/v1/auth/login').send({ email: u.email, password: PASSWORD, deviceToken: null }).expect(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request', param: 'deviceToken' });
    });
  });
});

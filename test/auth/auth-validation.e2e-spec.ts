import { emailKey } from '../../src/auth/domain/login-protection';
import { createTestApp, TestApp } from '../support/test-app';
import { PASSWORD, registerUser, uniqueEmail } from '../support/factories';

type Body = Record<string, unknown>;

describe('auth: input validation (V4, B1, B10)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const valid = (): Body => ({ email: uniqueEmail('v'), password: PASSWORD, displayName: 'Valid Name', role: 'customer' });
  const register = (body: Body) => t.http.post('/v1/auth/register').send(body);

  async function expect400(body: Body, code: string, param: string, path = '/v1/auth/register') {
    const res = await t.http.post(path).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request', code, param, requestId: expect.any(String) });
    return res;
  }

  describe('register', () => {
    it.each(['email', 'password', 'displayName', 'role'])('missing %s → 400 missing_field', async (field) => {
      const body = valid();
      delete body[field];
      await expect400(body, 'missing_field', field);
    });

    it.each([
      ['role', 'admin'],
      ['isAdmin', true],
      ['id', '00000000-0000-0000-0000-000000000000'],
      ['suspendedAt', null],
      ['passwordHash', 'x'],
    ])('B1 mass assignment %s=%j → 400 (role: invalid_field; others: unknown_field)', async (field, value) => {
      const code = field === 'role' ? 'invalid_field' : 'unknown_field';
      await expect400({ ...valid(), [field]: value }, code, field);
    });

    it('nobody self-registers as admin, whatever the spelling', async () => {
      for (const role of ['admin', 'ADMIN', 'Admin ', 'customer,admin']) {
        await expect400({ ...valid(), role }, 'invalid_field', 'role');
      }
      await expect400({ ...valid(), role: ['admin'] }, 'invalid_field', 'role');
    });

    it.each([
      ['email', 42],
      ['email', ['a@example.com']],
      ['email', { $ne: '' }],
      ['password', 1234567890123],
      ['password', true],
      ['displayName', 7],
      ['displayName', { first: 'A' }],
      ['role', 1],
    ])('wrong type %s=%j → 400 invalid_field', async (field, value) => {
      await expect400({ ...valid(), [field]: value }, 'invalid_field', field);
    });

    it('B10 password of 9 or 129 characters → 400; 10 and 128 are fine', async () => {
      await expect400({ ...valid(), password: 'a'.repeat(9) }, 'invalid_field', 'password');
      await expect400({ ...valid(), password: 'a'.repeat(129) }, 'invalid_field', 'password');
      await register({ ...valid(), password: 'a'.repeat(10) }).expect(201);
      await register({ ...valid(), password: 'a'.repeat(128) }).expect(201);
    });

    it('B10 a ~900 KB and a 1 MB password → 400 fast, before any hashing', async () => {
      for (const size of [900_000, 1_000_000]) {
        const started = Date.now();
        const res = await expect400({ ...valid(), password: 'p'.repeat(size) }, 'invalid_field', 'password');
        expect(Date.now() - started).toBeLessThan(1000);
        expect(res.body.error.message).not.toContain('ppppp'); // the value is never echoed
      }
      // Past the 1 MiB body limit the server stops reading: 413.
      const huge = await register({ ...valid(), password: 'p'.repeat(1_100_000) });
      expect(huge.status).toBe(413);
    });

    it('B10 the same through login: a 1 MB password → 400 without touching the account', async () => {
      const u = await registerUser(t);
      await expect400({ email: u.email, password: 'p'.repeat(1_000_000) }, 'invalid_field', 'password', '/v1/auth/login');
      const [row] = await t.ds.query(`SELECT count(*)::int AS n FROM login_protection WHERE email_key = $1`, [emailKey(u.email)]);
      expect(row.n).toBe(0); // not even counted as an attempt
    });

    it('displayName of 0 characters, only spaces, or 81 characters → 400; 80 is fine', async () => {
      await expect400({ ...valid(), displayName: '' }, 'invalid_field', 'displayName');
      await expect400({ ...valid(), displayName: ' \t\u3000 ' }, 'invalid_field', 'displayName');
      await expect400({ ...valid(), displayName: 'n'.repeat(81) }, 'invalid_field', 'displayName');
      await register({ ...valid(), displayName: 'n'.repeat(80) }).expect(201);
      // 80 characters after trimming is fine even with padding around it.
      await register({ ...valid(), displayName: `  ${'n'.repeat(80)}  ` }).expect(201);
    });

    it.each([
      ['RTL override', 'Bob\u202Egnp.exe'],
      ['zero-width space', 'Bob\u200Bby'],
      ['NUL', 'Bob\u0000'],
      ['bell', 'Bob\u0007'],
      ['newline', 'Bob\nAdmin'],
      ['byte-order mark', 'Bo\uFEFFb'],
      ['line separator', 'Bob\u2028Admin'],
    ])('displayName with %s → 400 invalid_field', async (_what, displayName) => {
      await expect400({ ...valid(), displayName }, 'invalid_field', 'displayName');
    });

    it('international names, emoji sequences and SQL meta-characters are stored verbatim', async () => {
      for (const displayName of ['José Ñúñez', '王小明', 'محمد', '👩\u200D💻 Dev', "Robert'); DROP TABLE users;--", "' OR 1=1 --"]) {
        const res = await register({ ...valid(), displayName }).expect(201);
        expect(res.body.user.displayName).toBe(displayName);
      }
      const [{ count }] = await t.ds.query(`SELECT count(*)::int AS count FROM users`);
      expect(count).toBeGreaterThan(5); // the table is still there
    });

    it('names are stored NFC-normalised (a decomposed accent becomes one character)', async () => {
      const res = await register({ ...valid(), displayName: 'Zoe\u0308' }).expect(201);
      expect(res.body.user.displayName).toBe('Zo\u00eb');
    });

    it.each([
      ['not an address', 'not-an-email'],
      ['SQL in the address', "' OR 1=1 --"],
      ['SQL with a domain', "' OR 1=1 --@example.com"],
      ['no TLD', 'a@localhost'],
      ['IP literal', 'a@[127.0.0.1]'],
      ['zero-width space', 'zero\u200Bwidth@example.com'],
      ['RTL override', 'moc.elpmaxe\u202E@evil.com'],
      ['Cyrillic look-alike', '\u0430dmin@example.com'],
      ['unicode local part', 'jürgen@example.com'],
      ['display-name form', 'Alice <alice@example.com>'],
      ['too long', `${'a'.repeat(64)}@${'b'.repeat(190)}.example.com`],
      ['empty', ''],
    ])('email: %s → 400 invalid_field', async (_what, email) => {
      await expect400({ ...valid(), email }, 'invalid_field', 'email');
    });

    it("an apostrophe is a legal address character: o'brien@… is stored safely and logs in", async () => {
      const email = `o'brien.${Date.now()}@example.com`;
      const res = await register({ ...valid(), email }).expect(201);
      expect(res.body.user.email).toBe(email);
      await t.http.post('/v1/auth/login').send({ email, password: PASSWORD }).expect(200);
    });

    it('V5 __proto__ in the body is refused or inert, never a role', async () => {
      const res = await t.http
        .post('/v1/auth/register')
        .set('Content-Type', 'application/json')
        .send(`{"email":"${uniqueEmail('proto')}","password":"${PASSWORD}","displayName":"P","role":"customer","__proto__":{"role":"admin"}}`);
      expect(res.status).toBe(400);
      expect(({} as Record<string, unknown>).role).toBeUndefined();
    });
  });

  describe('login, refresh and logout bodies', () => {
    it.each([
      [{ password: PASSWORD }, 'missing_field', 'email'],
      [{ email: 'a@example.com' }, 'missing_field', 'password'],
      [{ email: 'a@example.com', password: '' }, 'invalid_field', 'password'],
      [{ email: 5, password: PASSWORD }, 'invalid_field', 'email'],
      [{ email: 'a@example.com', password: PASSWORD, role: 'admin' }, 'unknown_field', 'role'],
      [{ email: `${'a'.repeat(300)}@example.com`, password: PASSWORD }, 'invalid_field', 'email'],
      [{ email: 'a@example.com', password: 'a'.repeat(129) }, 'invalid_field', 'password'],
    ])('login %j → 400 %s %s', async (body, code, param) => {
      await expect400(body, code, param, '/v1/auth/login');
    });

    it('login with SQL meta-characters in the email is just a wrong email: 401', async () => {
      const res = await t.http.post('/v1/auth/login').send({ email: "' OR 1=1 --", password: PASSWORD }).expect(401);
      expect(res.body.error.code).toBe('invalid_credentials');
    });

    it.each(['/v1/auth/refresh', '/v1/auth/logout'])('%s: missing, empty, too long, wrong type, extra field → 400', async (path) => {
      await expect400({}, 'missing_field', 'refreshToken', path);
      await expect400({ refreshToken: '' }, 'invalid_field', 'refreshToken', path);
      await expect400({ refreshToken: 'x'.repeat(257) }, 'invalid_field', 'refreshToken', path);
      await expect400({ refreshToken: 12 }, 'invalid_field', 'refreshToken', path);
      await expect400({ refreshToken: 'x', userId: 'y' }, 'unknown_field', 'userId', path);
    });
  });
});

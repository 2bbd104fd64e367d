import { once } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import { type AddressInfo, connect as netConnect, createServer as createTcpServer } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type ConnectStep, type ConnectTarget, connectToCheckedAddress, type Resolver, USER_AGENT, WebhookSender } from './webhook-sender';

// A throwaway certificate for partner.example, valid 2000–2100, trusted only where a test passes
// it as `ca`. Its key protects nothing.
const CERT = `-----BEGIN CERTIFICATE-----
MIIBcjCCARmgAwIBAgIBATAKBggqhkjOPQQDAjAaMRgwFgYDVQQDDA9wYXJ0bmVy
LmV4YW1wbGUwIBcNMDAwMTAxMDAwMDAwWhgPMjEwMDAxMDEwMDAwMDBaMBoxGDAW
BgNVBAMMD3BhcnRuZXIuZXhhbXBsZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IA
BCGGDPrXNWkUxmr7KLnVHmgTH5yoZ+oMEeKWMy+R44WLEddnQktCt+y2scLDbgYs
boXqb0rHjJQ6xVEvdFH70l+jTjBMMBoGA1UdEQQTMBGCD3BhcnRuZXIuZXhhbXBs
ZTAPBgNVHRMBAf8EBTADAQH/MB0GA1UdDgQWBBQNWZU4nHAKZ64vhpwjR8hsEv4x
xTAKBggqhkjOPQQDAgNHADBEAiBKz+LqYxtgN4peqQHTOalTXGY4PQr9BQevIbMc
nrTzCwIgR2I0THlzDoKJWd6IPUKKbhHobwXLZ8OviQsZtBpsn64=
-----END CERTIFICATE-----`;
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgxdzPA6Qlvf0K6BiM
g4/QnCvdA0Dcymx/zz7FmXedblKhRANCAAQhhgz61zVpFMZq+yi51R5oEx+cqGfq
DBHiljMvkeOFixHXZ0JLQrfstrHCw24GLG6F6m9Kx4yUOsVRL3RR+9Jf
-----END PRIVATE KEY-----`;

interface Hit { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string; servername?: string | false | null }
type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const servers: Array<http.Server> = [];

/** A receiver on 127.0.0.1 recording every request it gets. */
async function receiver(handler: Handler, tls = false) {
  const hits: Hit[] = [];
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString(), servername: (req.socket as TLSSocket).servername });
      res.on('error', () => undefined);
      handler(req, res);
    });
  };
  const server = tls ? https.createServer({ key: KEY, cert: CERT }, listener) : http.createServer(listener);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { port, hits, url: `http://127.0.0.1:${port}` };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const local = (options: Partial<ConstructorParameters<typeof WebhookSender>[0]> = {}) => new WebhookSender({ production: false, ...options });
const answer = (status: number, text = '', extra: http.OutgoingHttpHeaders = {}): Handler => (_req, res) => { res.writeHead(status, extra); res.end(text); };
const BODY = JSON.stringify({ id: 'evt_1', type: 'ping', requestId: null, sequence: 0, data: { object: {} } });
const SIGNED = { 'Fixbid-Event-Id': 'evt_1', 'Fixbid-Signature': 't=1700000000,v1=abc' };

describe('W5 F5 one delivery attempt', () => {
  it('200 → ok; POSTs the JSON body with our headers', async () => {
    const server = await receiver(answer(200, 'thanks'));
    const result = await local().send(`${server.url}/hooks?x=1`, BODY, { ...SIGNED, 'content-type': 'text/plain', 'User-Agent': 'spoofed' });
    expect(result).toMatchObject({ ok: true, statusCode: 200, error: null, responseSnippet: 'thanks' });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(server.hits).toHaveLength(1);
    const [hit] = server.hits;
    expect(hit).toMatchObject({ method: 'POST', url: '/hooks?x=1', body: BODY });
    expect(hit.headers).toMatchObject({
      'content-type': 'application/json', 'user-agent': USER_AGENT, 'fixbid-event-id': 'evt_1',
      'fixbid-signature': 't=1700000000,v1=abc', 'content-length': String(Buffer.byteLength(BODY)), host: `127.0.0.1:${server.port}`,
    });
  });

  it('500 → not ok, with the status and the start of the answer', async () => {
    const server = await receiver(answer(500, 'boom'));
    expect(await local().send(server.url, BODY, SIGNED)).toMatchObject({ ok: false, statusCode: 500, error: null, responseSnippet: 'boom' });
  });

  it('a receiver that never answers → timeout after the configured time', async () => {
    const server = await receiver(() => undefined);
    const result = await local({ timeoutMs: 300 }).send(server.url, BODY, SIGNED);
    expect(result).toMatchObject({ ok: false, statusCode: null, error: 'timeout' });
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expect(result.durationMs).toBeLessThan(2000);
    expect(server.hits).toHaveLength(1);
  });

  it.each([301, 302, 307, 308])('B9 a %i is a failed attempt and its Location is never requested', async (status) => {
    const internal = await receiver(answer(200, 'should not be reached'));
    const server = await receiver(answer(status, '', { Location: `${internal.url}/latest/meta-data/` }));
    const result = await local().send(server.url, BODY, SIGNED);
    expect(result).toMatchObject({ ok: false, statusCode: status, error: 'redirect_not_followed' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(internal.hits).toHaveLength(0);
  });

  it('a 10 MB answer that never ends: reads 4 KiB, closes the socket, does not wait', async () => {
    let serverSideClosed = false;
    const server = await receiver((_req, res) => {
      res.on('close', () => { serverSideClosed = true; });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write(Buffer.alloc(10 * 1024 * 1024, 'a')); // and never res.end()
    });
    const result = await local({ timeoutMs: 5000 }).send(server.url, BODY, SIGNED);
    expect(result).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(result.durationMs).toBeLessThan(2000);
    expect(Buffer.byteLength(result.responseSnippet)).toBeLessThanOrEqual(4096);
    expect(result.responseSnippet).toMatch(/^a+$/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(serverSideClosed).toBe(true);
  });

  it('the snippet never cuts a character in two nor passes the byte limit', async () => {
    const server = await receiver(answer(400, 'é'.repeat(3000)));
    const result = await local().send(server.url, BODY, SIGNED);
    expect(Buffer.byteLength(result.responseSnippet)).toBeLessThanOrEqual(4096);
    expect(result.responseSnippet).toBe('é'.repeat(2048));
  });

  it('a closed port → connection_refused', async () => {
    const probe = createTcpServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    expect(await local().send(`http://127.0.0.1:${port}/`, BODY, SIGNED)).toMatchObject({ ok: false, statusCode: null, error: 'connection_refused' });
  });

  it('a resolver that hangs → timeout; one that fails → dns_not_found; a bad url → invalid_url', async () => {
    const hanging = local({ timeoutMs: 200, resolver: () => new Promise(() => undefined) });
    expect(await hanging.send('http://slow-dns.example/', BODY, SIGNED)).toMatchObject({ ok: false, error: 'timeout' });
    const failing = local({ resolver: () => Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' })) });
    expect(await failing.send('http://missing.example/', BODY, SIGNED)).toMatchObject({ ok: false, error: 'dns_not_found' });
    expect((await local().send('ftp://partner.example/', BODY, SIGNED)).error).toMatch(/^invalid_url: /);
  });

  it('outside production a name resolving to loopback is allowed and reached at the resolved address', async () => {
    const server = await receiver(answer(204));
    const resolver = jest.fn<ReturnType<Resolver>, Parameters<Resolver>>(async () => [{ address: '127.0.0.1', family: 4 }]);
    const result = await local({ resolver }).send(`http://partner.test:${server.port}/in`, BODY, SIGNED);
    expect(result).toMatchObject({ ok: true, statusCode: 204 });
    expect(resolver).toHaveBeenCalledTimes(1);
    expect(server.hits[0].headers.host).toBe(`partner.test:${server.port}`);
  });
});

describe('W7 B9 production: every resolved address checked, the connection pinned to it', () => {
  const names: Record<string, Array<{ address: string; family: 4 | 6 }>> = {
    'evil.example': [{ address: '10.0.0.1', family: 4 }],
    'meta.example': [{ address: '169.254.169.254', family: 4 }],
    'six.example': [{ address: '::1', family: 6 }],
    'mapped.example': [{ address: '::ffff:127.0.0.1', family: 6 }],
    'mixed.example': [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.1', family: 4 }],
    'partner.example': [{ address: '93.184.216.34', family: 4 }],
  };
  const resolver = jest.fn<ReturnType<Resolver>, Parameters<Resolver>>(async (host) => names[host] ?? []);
  // Never connects anywhere: a test that reaches it by mistake fails instead of sending a packet.
  const refusingConnect = jest.fn<ReturnType<ConnectStep>, Parameters<ConnectStep>>(() => { throw new Error('must not connect'); });
  const production = () => new WebhookSender({ production: true, resolver, connect: refusingConnect, timeoutMs: 2000 });
  beforeEach(() => { resolver.mockClear(); refusingConnect.mockClear(); });

  it.each([
    ['evil.example', 'refused_address: private [10.0.0.1]'],
    ['meta.example', 'refused_address: cloud_metadata [169.254.169.254]'],
    ['six.example', 'refused_address: loopback [::1]'],
    ['mapped.example', 'refused_address: loopback (ipv4-mapped 127.0.0.1) [::ffff:127.0.0.1]'],
    ['mixed.example', 'refused_address: private [10.0.0.1]'],
  ])('%s is refused without connecting', async (host, error) => {
    const result = await production().send(`https://${host}/hooks`, BODY, SIGNED);
    expect(result).toMatchObject({ ok: false, statusCode: null, error });
    expect(resolver).toHaveBeenCalledWith(host);
    expect(refusingConnect).not.toHaveBeenCalled();
  });

  it.each([
    ['https://127.0.0.1/', /^refused_address: loopback/],
    ['https://127.0.0.1:5432', /^refused_address: loopback/],
    ['https://[::1]/', /^refused_address: loopback/],
    ['https://[::ffff:7f00:1]/', /^refused_address: loopback/],
    ['https://169.254.169.254/latest/meta-data/', /^refused_address: cloud_metadata/],
    ['http://169.254.169.254/', /^invalid_url: .*https/],
    ['https://localhost/', /^invalid_url: .*localhost/],
  ])('the literal %s is refused without a lookup or a connection', async (url, error) => {
    expect((await production().send(url, BODY, SIGNED)).error).toMatch(error);
    expect(resolver).not.toHaveBeenCalled();
    expect(refusingConnect).not.toHaveBeenCalled();
  });

  it('a public address: the connect step gets exactly that address, the request keeps the host name', async () => {
    const server = await receiver(answer(200, 'ok'));
    // Stands in for the internet: hands back a plain socket to the local receiver.
    const connect = jest.fn<ReturnType<ConnectStep>, Parameters<ConnectStep>>(() => netConnect(server.port, '127.0.0.1'));
    const sender = new WebhookSender({ production: true, resolver, connect, timeoutMs: 2000 });
    const result = await sender.send('https://partner.example/hooks/fixbid', BODY, SIGNED);
    expect(result).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(resolver).toHaveBeenCalledTimes(1);
    expect(connect).toHaveBeenCalledTimes(1);
    expect(connect.mock.calls[0][0]).toEqual<ConnectTarget>({ address: '93.184.216.34', family: 4, port: 443, hostname: 'partner.example', tls: true });
    expect(server.hits[0]).toMatchObject({ url: '/hooks/fixbid', body: BODY, headers: expect.objectContaining({ host: 'partner.example' }) });
  });
});

describe('the default connect step: TLS to the checked IP, named and verified for the host', () => {
  const toLoopback: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];

  it('sends the host name as SNI and accepts a certificate valid for it', async () => {
    const server = await receiver(answer(200, 'secure'), true);
    const sender = local({ resolver: toLoopback, connect: connectToCheckedAddress({ ca: CERT }) });
    const result = await sender.send(`https://partner.example:${server.port}/hook`, BODY, SIGNED);
    expect(result).toMatchObject({ ok: true, statusCode: 200, responseSnippet: 'secure' });
    expect(server.hits[0].servername).toBe('partner.example');
  });

  it('refuses a certificate that is not valid for the URL host', async () => {
    const server = await receiver(answer(200), true);
    const sender = local({ resolver: toLoopback, connect: connectToCheckedAddress({ ca: CERT }) });
    const result = await sender.send(`https://other.example:${server.port}/hook`, BODY, SIGNED);
    expect(result).toMatchObject({ ok: false, statusCode: null, error: 'tls_error: ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(server.hits).toHaveLength(0);
  });

  it('refuses a certificate no trusted authority signed', async () => {
    const server = await receiver(answer(200), true);
    const result = await local({ resolver: toLoopback }).send(`https://partner.example:${server.port}/hook`, BODY, SIGNED);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^tls_error: /);
    expect(server.hits).toHaveLength(0);
  });
});

import { lookup } from 'node:dns/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, connect as netConnect } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { forbiddenAddressReason, parseWebhookUrl, type WebhookTarget } from './domain/address-policy';

/**
 * One delivery attempt of an outgoing webhook (contract §3, W5, W7, F5, API10): POST the body,
 * 10 s for the whole attempt, never follow a redirect, read at most 4 KiB of the answer. Every
 * outcome is a DeliveryResult; network trouble never throws, so the worker just records it.
 */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 4096;
export const USER_AGENT = 'Fixbid-Webhooks/1.0';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** What the connect step is given: the address that passed the policy, and the name for TLS. */
export interface ConnectTarget {
  address: string;
  family: 4 | 6;
  port: number;
  /** The URL's host: the TLS server name and the name the certificate must be valid for. */
  hostname: string;
  tls: boolean;
}
export type ConnectStep = (target: ConnectTarget) => Duplex;

export interface DeliveryResult {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseSnippet: string;
}

export interface WebhookSenderOptions {
  production: boolean;
  timeoutMs?: number;
  resolver?: Resolver;
  connect?: ConnectStep;
  maxResponseBytes?: number;
}

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

/**
 * Connects to the checked IP itself, so no second DNS lookup can swap in another address (DNS
 * rebinding). For https the server name (SNI) and the certificate check use the URL's host,
 * as a normal request would. `ca` exists for tests; production trusts the system's roots.
 */
export function connectToCheckedAddress(tlsOptions: Pick<ConnectionOptions, 'ca'> = {}): ConnectStep {
  return ({ address, port, hostname, tls }) =>
    tls
      ? tlsConnect({
          ...tlsOptions,
          host: address,
          port,
          // SNI may not carry an IP; for an IP-literal URL the certificate is checked against `host`.
          servername: isIP(hostname) === 0 ? hostname : undefined,
          ALPNProtocols: ['http/1.1'],
          // Explicit, so NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot weaken it.
          rejectUnauthorized: true,
        })
      : netConnect({ host: address, port });
}

// Headers only the sender sets: a caller cannot make a body look like something else.
const SENDER_HEADERS = new Set(['content-type', 'content-length', 'user-agent', 'host', 'connection', 'transfer-encoding']);

function requestHeaders(headers: Record<string, string>, body: string): Record<string, string> {
  const kept = Object.entries(headers).filter(([name]) => !SENDER_HEADERS.has(name.toLowerCase()));
  return {
    ...Object.fromEntries(kept),
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    'User-Agent': USER_AGENT,
    Connection: 'close',
  };
}

// Error codes only (never messages): a delivery log is shown to the partner and must not echo
// anything but what went wrong.
function errorCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? code : null;
}

function networkError(err: unknown): string {
  const code = errorCode(err);
  switch (code) {
    case 'ECONNREFUSED': return 'connection_refused';
    case 'ECONNRESET': case 'EPIPE': return 'connection_reset';
    case 'ETIMEDOUT': return 'timeout';
    case 'EHOSTUNREACH': case 'ENETUNREACH': return 'unreachable';
    case null: return 'network_error';
  }
  if (code.startsWith('HPE_')) return `bad_response: ${code}`;
  if (/CERT|^ERR_TLS_|^ERR_SSL_|^UNABLE_TO_|^EPROTO$/.test(code)) return `tls_error: ${code}`;
  return `network_error: ${code}`;
}

function dnsError(err: unknown): string {
  const code = errorCode(err);
  if (code === 'ENOTFOUND' || code === 'ENODATA') return 'dns_not_found';
  if (code === 'EAI_AGAIN') return 'dns_temporary_failure';
  return code === null ? 'dns_error' : `dns_error: ${code}`;
}

/** The first `max` bytes as text, never cutting a character in two and never more than `max` bytes. */
function utf8Snippet(raw: Buffer, max: number): string {
  const cut = (buf: Buffer) => {
    if (buf.length <= max) return buf;
    let end = max;
    while (end > 0 && (buf[end] & 0xc0) === 0x80) end--;
    return buf.subarray(0, end);
  };
  // Invalid bytes decode to U+FFFD (3 bytes each), so the decoded text is cut once more.
  return cut(Buffer.from(cut(raw).toString('utf8'), 'utf8')).toString('utf8');
}

const TIMED_OUT = Symbol('timed out');

function beforeDeadline<T>(work: Promise<T>, msLeft: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(TIMED_OUT), Math.max(0, msLeft)); });
  return Promise.race([work, expiry]).finally(() => clearTimeout(timer));
}

type Outcome = Omit<DeliveryResult, 'durationMs'>;

export class WebhookSender {
  private readonly production: boolean;
  private readonly timeoutMs: number;
  private readonly resolver: Resolver;
  private readonly connect: ConnectStep;
  private readonly maxResponseBytes: number;

  constructor(options: WebhookSenderOptions) {
    this.production = options.production;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.resolver = options.resolver ?? systemResolver;
    this.connect = options.connect ?? connectToCheckedAddress();
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  async send(url: string, body: string, headers: Record<string, string>): Promise<DeliveryResult> {
    const started = performance.now();
    const outcome = await this.attempt(url, body, headers, started).catch((err: unknown) => failed(networkError(err)));
    return { ...outcome, durationMs: Math.round(performance.now() - started) };
  }

  private async attempt(url: string, body: string, headers: Record<string, string>, started: number): Promise<Outcome> {
    const target = parseWebhookUrl(url, this.production);
    if ('problem' in target) return failed(`invalid_url: ${target.problem}`);
    let addresses: ResolvedAddress[];
    try {
      addresses = target.isIpLiteral
        ? [{ address: target.host, family: isIP(target.host) === 6 ? 6 : 4 }]
        : await beforeDeadline(Promise.resolve().then(() => this.resolver(target.host)), started + this.timeoutMs - performance.now());
    } catch (err) {
      return failed(err === TIMED_OUT ? 'timeout' : dnsError(err));
    }
    if (addresses.length === 0) return failed('dns_not_found');
    for (const { address } of addresses) {
      // A non-IP answer would make the socket look the name up again, past the check.
      if (isIP(address) === 0) return failed('dns_bad_address');
      const reason = this.production ? forbiddenAddressReason(address) : null;
      // Every address, not just the one used: a name that can resolve inside is refused outright.
      if (reason !== null) return failed(`refused_address: ${reason} [${address}]`);
    }
    const { address } = addresses[0];
    return this.post(target, { address, family: isIP(address) === 6 ? 6 : 4 }, body, headers, started + this.timeoutMs);
  }

  /** A 2xx counts once its answer has arrived (up to the byte limit) within the timeout. */
  private post(target: WebhookTarget, chosen: ResolvedAddress, body: string, headers: Record<string, string>, deadline: number): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      let statusCode: number | null = null;
      const chunks: Buffer[] = [];
      let received = 0;
      let settled = false;
      let request: http.ClientRequest | undefined;
      const settle = (error: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // Destroying the request closes the socket: the rest of a large answer is never read.
        request?.destroy();
        resolve(outcome(statusCode, error, utf8Snippet(Buffer.concat(chunks), this.maxResponseBytes)));
      };
      const timer = setTimeout(() => settle('timeout'), Math.max(0, deadline - performance.now()));
      try {
        request = openRequest(target, chosen, body, headers, this.connect);
      } catch (err) {
        return settle(networkError(err));
      }
      request.on('error', (err) => settle(networkError(err)));
      request.on('response', (response) => {
        statusCode = response.statusCode ?? null;
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          received += chunk.length;
          if (received >= this.maxResponseBytes) settle(null);
        });
        // With the status in hand, a body cut short by the server does not change the outcome.
        for (const event of ['end', 'error', 'close']) response.on(event, () => settle(null));
      });
      request.end(body);
    });
  }
}

/**
 * The request gets our socket through `createConnection` and no agent: Node then uses that
 * socket as is and never resolves the name itself, and no pooled connection made for an
 * earlier address is reused. (A `lookup` hook would also pin the address, but Node calls it
 * with options that vary with version and family auto-selection, and it is harder to assert
 * than "connect was called with this address".)
 */
function openRequest(target: WebhookTarget, chosen: ResolvedAddress, body: string, headers: Record<string, string>, connect: ConnectStep): http.ClientRequest {
  const tls = target.url.protocol === 'https:';
  const port = Number(target.url.port) || (tls ? 443 : 80);
  const connectTarget: ConnectTarget = { ...chosen, port, hostname: target.host, tls };
  return (tls ? https : http).request({
    method: 'POST',
    host: target.host,
    port,
    // Without an agent Node does not know the scheme's port and would send `Host: name:443`.
    defaultPort: tls ? 443 : 80,
    path: `${target.url.pathname}${target.url.search}`,
    headers: requestHeaders(headers, body),
    createConnection: () => connect(connectTarget),
  });
}

function outcome(statusCode: number | null, error: string | null, responseSnippet: string): Outcome {
  const ok = error === null && statusCode !== null && statusCode >= 200 && statusCode < 300;
  const redirect = error === null && statusCode !== null && statusCode >= 300 && statusCode < 400;
  return { ok, statusCode, error: redirect ? 'redirect_not_followed' : error, responseSnippet };
}

function failed(error: string): Outcome {
  return { ok: false, statusCode: null, error, responseSnippet: '' };
}

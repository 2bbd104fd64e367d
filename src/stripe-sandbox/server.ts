import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { authenticate } from './auth';
import type { RequestContext } from './context';
import { apiError, errorEnvelope, idempotencyMismatch, invalidRequest, refusedRequest, SandboxError } from './errors';
import { createEvent, EventRequest } from './events';
import type { ArmedFault, Faults } from './faults';
import { canonicalJson, FormObject, FormParseError, parseFormBody } from './form-body';
import { IdempotencyStore } from './idempotency';
import type { EventObject } from './objects';
import { Params } from './params';
import { Router } from './router';
import { Scheduler, ScheduledTask } from './scheduler';
import { randomToken, SandboxState } from './state';
import { runTask } from './tasks';
import type { WebhookDispatcher } from './webhooks';

const MAX_BODY = 1024 * 1024;
/** A 'timeout' fault holds the request this long at most, then drops the connection. */
const MAX_HANG_MS = 5 * 60 * 1000;

interface Reply {
  status: number;
  body: string;
  contentType: string;
  headers: Record<string, string>;
}

export interface ServerDeps {
  host: string;
  apiVersion: string;
  state: SandboxState;
  faults: Faults;
  dispatcher: WebhookDispatcher;
  /** How long Stripe's own later changes (a refund failing, a dispute decided) wait. */
  asyncDelayMs: number;
  log: (line: string) => void;
}

/** The HTTP side: routing, auth, idempotency, Stripe's error envelope, fault injection. */
export class SandboxServer {
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly hangTimers = new Set<NodeJS.Timeout>();
  private readonly router: Router;
  private readonly idempotency: IdempotencyStore;
  readonly scheduler: Scheduler;
  port = 0;

  constructor(private readonly deps: ServerDeps) {
    this.router = new Router(deps.faults, deps.dispatcher);
    this.idempotency = new IdempotencyStore(deps.state);
    this.scheduler = new Scheduler(deps.state, deps.asyncDelayMs, (task) => this.runScheduled(task), deps.log);
  }

  /** A scheduled change, made as Stripe makes its own: no API request, events with `request.id` null. */
  private runScheduled(task: ScheduledTask): void {
    const emitted: EventObject[] = [];
    const base = {
      method: 'TASK',
      path: `/${task.kind}/${task.target}`,
      pathParams: {},
      query: new URLSearchParams(),
      params: new Params({}),
      apiKey: '',
      publishable: false,
      requestId: `req_${randomToken(14)}`,
      idempotencyKey: undefined,
      stripeAccount: undefined,
    };
    runTask(this.context(base, { id: null, idempotencyKey: null }, emitted), task);
    if (emitted.length > 0) this.deps.dispatcher.enqueue(emitted);
  }

  private context(base: Omit<RequestContext, 'sandboxUrl' | 'state' | 'emit' | 'schedule'>, eventRequest: EventRequest, emitted: EventObject[]): RequestContext {
    const state = this.deps.state;
    return {
      ...base,
      sandboxUrl: this.url,
      state,
      emit: (type, object, previous) => {
        const event = createEvent(state, this.deps.apiVersion, type, object, eventRequest, previous);
        emitted.push(event);
        return event;
      },
      schedule: (kind, target, outcome) => this.scheduler.schedule(kind, target, outcome),
    };
  }

  get url(): string {
    return `http://${this.deps.host}:${this.port}`;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  async listen(port: number): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 65_000; // longer than the SDK's idle sockets live, to avoid reuse races
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.deps.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Stops listening and drops every open connection: clients now get ECONNREFUSED. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const timer of this.hangTimers) clearTimeout(timer);
    this.hangTimers.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = `req_${randomToken(14)}`;
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const fault = path.startsWith('/sandbox/faults') ? undefined : this.deps.faults.takeRequestFault(method, path);
    const emitted: EventObject[] = [];
    let reply: Reply;
    try {
      const body = await readBody(req);
      if (fault && !fault.applyFirst) return this.applyFault(fault, req, res, requestId);
      reply = this.process({ req, method, path, url, body, requestId, emitted });
    } catch (error) {
      reply = this.errorReply(error, requestId);
    }
    if (fault?.applyFirst) this.applyFault(fault, req, res, requestId);
    else send(res, requestId, this.deps.apiVersion, req, reply);
    if (emitted.length > 0) this.deps.dispatcher.enqueue(emitted);
  }

  private process(input: {
    req: IncomingMessage;
    method: string;
    path: string;
    url: URL;
    body: string;
    requestId: string;
    emitted: EventObject[];
  }): Reply {
    const { req, method, path, url, body, requestId, emitted } = input;
    const match = this.router.match(method, path);
    if (!match) {
      throw invalidRequest(
        `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        { status: 404, saved: false },
      );
    }
    const { route, pathParams } = match;
    const auth = route.public ? { apiKey: '', publishable: false } : authenticate(req.headers.authorization, route.publishableWithClientSecret ?? false);
    const raw = method === 'POST' ? parseBody(body, req.headers['content-type']) : parseFormBody(url.search.slice(1));
    const idempotencyKey = method === 'POST' && !route.public ? header(req, 'idempotency-key') || undefined : undefined;
    let scope: string | undefined;
    let fingerprint = '';
    if (idempotencyKey !== undefined) {
      scope = IdempotencyStore.scope(auth.apiKey, header(req, 'stripe-account'), idempotencyKey);
      fingerprint = IdempotencyStore.fingerprint(canonicalJson(raw));
      const found = this.idempotency.lookup(scope, `${method} ${path}`, fingerprint);
      if (found.kind === 'mismatch') throw idempotencyMismatch(idempotencyKey, found.sameEndpoint);
      if (found.kind === 'replay') {
        const { record } = found;
        const headers = { 'Idempotent-Replayed': 'true', 'Original-Request': record.requestId, 'Idempotency-Key': idempotencyKey };
        return { status: record.status, body: record.body, contentType: 'application/json', headers };
      }
    }
    const state = this.deps.state;
    const eventRequest = route.public ? { id: null, idempotencyKey: null } : { id: requestId, idempotencyKey: idempotencyKey ?? null };
    const base = { method, path, pathParams, query: url.searchParams, params: new Params(raw), apiKey: auth.apiKey, publishable: auth.publishable, requestId, idempotencyKey };
    const ctx = this.context({ ...base, stripeAccount: header(req, 'stripe-account') || undefined }, eventRequest, emitted);
    const refusal = route.public ? undefined : this.deps.faults.takeRefusal(method, path);
    let reply: Reply;
    let save = true;
    try {
      // A refused request has "started executing" at Stripe: its error is kept under the key.
      if (refusal) throw refusedRequest(refusal.status, refusal.message, refusal.code);
      const result = route.handler(ctx);
      reply =
        'html' in result
          ? { status: result.status ?? 200, body: result.html, contentType: 'text/html; charset=utf-8', headers: result.headers ?? {} }
          : { status: result.status ?? 200, body: JSON.stringify(result.body, null, 2), contentType: 'application/json', headers: {} };
    } catch (error) {
      save = error instanceof SandboxError && error.saved;
      reply = this.errorReply(error, requestId);
    }
    if (scope && save) {
      this.idempotency.save(scope, { endpoint: `${method} ${path}`, fingerprint, status: reply.status, body: reply.body, requestId, createdAtMs: state.nowMs() });
    }
    if (scope) reply.headers['Idempotency-Key'] = idempotencyKey as string;
    if (method !== 'GET' || emitted.length > 0) state.changed();
    return reply;
  }

  private errorReply(error: unknown, requestId: string): Reply {
    let sandboxError: SandboxError;
    if (error instanceof SandboxError) sandboxError = error;
    else if (error instanceof FormParseError) sandboxError = invalidRequest(error.message, { saved: false });
    else {
      this.deps.log(`Stripe sandbox: internal error on ${requestId}: ${error instanceof Error ? error.stack : String(error)}`);
      sandboxError = apiError(500);
    }
    const body = JSON.stringify(errorEnvelope(sandboxError, requestId, this.deps.state.now()), null, 2);
    return { status: sandboxError.status, body, contentType: 'application/json', headers: {} };
  }

  private applyFault(fault: ArmedFault, req: IncomingMessage, res: ServerResponse, requestId: string): void {
    if (fault.status === 'reset') {
      const socket = req.socket as Socket & { resetAndDestroy?: () => void };
      if (socket.resetAndDestroy) socket.resetAndDestroy();
      else socket.destroy();
      return;
    }
    if (fault.status === 'timeout') {
      // Never answer; the client's timeout fires. Drop the socket eventually so nothing leaks.
      const timer = setTimeout(() => req.socket.destroy(), MAX_HANG_MS);
      timer.unref();
      this.hangTimers.add(timer);
      req.socket.once('close', () => {
        clearTimeout(timer);
        this.hangTimers.delete(timer);
      });
      return;
    }
    send(res, requestId, this.deps.apiVersion, req, this.errorReply(apiError(fault.status), requestId));
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseBody(body: string, contentType: string | undefined): FormObject {
  if (!contentType?.includes('application/json')) return parseFormBody(body);
  // JSON is accepted only as a convenience for the /sandbox helpers and curl users; leaves become strings.
  let parsed: unknown;
  try {
    parsed = body ? JSON.parse(body) : {};
  } catch {
    throw new FormParseError('Invalid JSON body.');
  }
  const toForm = (value: unknown): FormObject[string] => {
    if (Array.isArray(value)) return value.map(toForm);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toForm(v)]));
    return value === null ? '' : String(value);
  };
  const form = toForm(parsed);
  if (typeof form !== 'object' || Array.isArray(form)) throw new FormParseError('The JSON body must be an object.');
  return form;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new SandboxError(413, { type: 'invalid_request_error', message: 'Request body too large.' }, false));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, requestId: string, apiVersion: string, req: IncomingMessage, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(reply.status, {
    'Content-Type': reply.contentType,
    'Content-Length': Buffer.byteLength(reply.body),
    'Request-Id': requestId,
    'Stripe-Version': header(req, 'stripe-version') ?? apiVersion,
    'Cache-Control': 'no-cache, no-store',
    ...reply.headers,
  });
  res.end(reply.body);
}

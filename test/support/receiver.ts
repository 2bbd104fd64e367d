import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; requestId: string | null; sequence: number; createdAt: string; data: { object: Record<string, unknown> } };
  at: number;
}

/** What the receiver does with the next request: answer `status`, hang, redirect, or send a huge body. */
export type Reply = { status: number; location?: string } | 'hang' | 'huge';

/** A partner's webhook receiver on 127.0.0.1, recording what arrives; `replies` are used in order, then 200. */
export class Receiver {
  readonly received: Received[] = [];
  readonly replies: Reply[] = [];
  private server!: Server;

  /** `always`: the answer once `replies` are used up (200 by default; 'hang' for a dead endpoint). */
  constructor(private readonly always: Reply = { status: 200 }) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.received.push({ headers: req.headers, body, json: JSON.parse(body), at: Date.now() });
        const reply = this.replies.shift() ?? this.always;
        if (reply === 'hang') return;
        if (reply === 'huge') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(Buffer.alloc(10 * 1024 * 1024, 'x'));
          return;
        }
        res.writeHead(reply.status, reply.location ? { location: reply.location } : {});
        res.end('ok');
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return this;
  }

  of(eventId: string): Received[] {
    return this.received.filter((r) => r.json.id === eventId);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

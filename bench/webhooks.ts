import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { EVENTS_CHANNEL } from '../src/events/events.service';
import { WebhookEndpointsService } from '../src/webhooks/webhook-endpoints.service';

export interface BurstResult {
  events: number;
  delivered: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/**
 * Webhooks out under a burst (issue 8, item 9): `count` events committed in one transaction for a
 * seeded request, an admin endpoint (it receives every event) on a local receiver, the time from
 * the commit to each receipt. The receiver answers 200 at once; it shares this process with the
 * server, so the figures include its cost too.
 */
export async function webhookBurst(app: NestFastifyApplication, databaseUrl: string, count = 1000, timeoutMs = 60_000): Promise<BurstResult> {
  const received = new Map<string, number>();
  const server = createServer((req, res) => {
    const id = String(req.headers['fixbid-event-id']);
    req.resume();
    req.on('end', () => {
      if (!received.has(id)) received.set(id, Date.now());
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const db = new Client({ connectionString: databaseUrl, application_name: 'fixbid-bench' });
  await db.connect();
  try {
    const adminId = randomUUID();
    await db.query(`INSERT INTO users (id, email, display_name, role) VALUES ($1, $2, 'Bench admin', 'admin')`, [adminId, `bench-admin-${adminId}@example.com`]);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    await app.get(WebhookEndpointsService).create({ userId: adminId, role: 'admin' }, { url, events: ['*'] });
    const { rows } = await db.query<{ id: string; customer_id: string; event_sequence: number }>(
      `SELECT id, customer_id, event_sequence FROM help_requests ORDER BY id LIMIT 1`,
    );
    const request = rows[0];
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO events (type, request_id, sequence, customer_id, payload)
       SELECT 'request.updated', $1, $3 + n, $2, jsonb_build_object('id', $5::text, 'n', n) FROM generate_series(1, $4) AS n`,
      [request.id, request.customer_id, request.event_sequence, count, request.id],
    );
    await db.query(`UPDATE help_requests SET event_sequence = event_sequence + $2 WHERE id = $1`, [request.id, count]);
    await db.query(`SELECT pg_notify('${EVENTS_CHANNEL}', '')`);
    await db.query('COMMIT');
    const committedAt = Date.now();
    const deadline = committedAt + timeoutMs;
    while (received.size < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const latencies = [...received.values()].map((at) => at - committedAt).sort((a, b) => a - b);
    const last = latencies[latencies.length - 1] ?? timeoutMs;
    return {
      events: count,
      delivered: received.size,
      perSecond: received.size / Math.max(0.001, last / 1000),
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
    };
  } finally {
    await db.end();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { SealedBox } from '../common/crypto/sealed-box';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { hydrate, updatedRows } from '../database/hydrate';
import { NotificationsService } from '../database/notifications.service';
import { Audience } from '../events/domain/event-audience';
import { partnerAudienceSql, partnerReadsEventSql } from '../events/event-visibility';
import { toEvent } from '../events/events-feed.service';
import { EVENTS_CHANNEL } from '../events/events.service';
import { endpointShouldBeDisabled, nextRetryAt } from './domain/retry-schedule';
import { SIGNATURE_HEADER, signatureHeader } from './domain/webhook-signature';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WEBHOOK_NETWORK, WebhookNetwork } from './webhook-network';
import { DeliveryResult, WebhookSender } from './webhook-sender';

/** Deliveries became due (a manual retry, a ping): senders on every process may start now. */
export const DELIVERIES_CHANNEL = 'fixbid_webhook_deliveries';
const FAN_OUT_BATCH = 500;
const MAX_IN_FLIGHT = 64;
/** At most this many attempts to one endpoint at once per process: a dead endpoint holds 16 of the 64 slots, never all. */
const PER_ENDPOINT_IN_FLIGHT = 16;
const LEASE_SECONDS = 30;

interface EventRow {
  id: string;
  type: string;
  request_id: string;
  sequence: number;
  payload: Record<string, unknown>;
  created_at: Date;
}

/**
 * Webhooks out, from the outbox (contract §3, W5, F5, F6). Two steps, both safe on any number of
 * processes: the fan-out turns committed events into deliveries (events taken with SKIP LOCKED
 * and marked dispatched in the same statement; unique (endpoint, event) makes a repeat harmless),
 * and the senders claim due deliveries one attempt at a time with a lease (SKIP LOCKED again), so
 * no attempt is sent twice and a process killed mid-send loses nothing: its lease runs out and
 * another process sends the attempt again, with the same event id. A commit NOTIFYs every process,
 * so delivery starts within a second of it; polling every JOB_POLL_SECONDS is the safety net.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly sender: WebhookSender;
  private readonly box: SealedBox;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly perEndpoint = new Map<string, number>();
  private stopping = true;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WEBHOOK_NETWORK) network: WebhookNetwork,
    private readonly notifications: NotificationsService,
  ) {
    this.sender = new WebhookSender({ production: config.nodeEnv === 'production', resolver: network.resolver, connect: network.connect });
    this.box = new SealedBox(config.jwtSecret, 'webhook-secret');
  }

  onModuleInit(): void {
    this.notifications.on(EVENTS_CHANNEL, () => this.wake());
    this.notifications.on(DELIVERIES_CHANNEL, () => this.wake());
    this.notifications.onReconnect(() => this.wake());
  }

  onApplicationBootstrap(): void {
    if (!this.config.jobs.workers) return;
    this.stopping = false;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
    // Attempts in hand finish (each is bounded by the 10 s timeout); an attempt cut off by a kill is re-sent after its lease.
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Look for work now (a commit, a finished send, a retry requested). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    const pollMs = this.config.jobs.pollSeconds * 1000;
    while (!this.stopping) {
      this.woken = false;
      let busy = false;
      try {
        busy = (await this.fanOut()) === FAN_OUT_BATCH;
        busy = (await this.claimAndSend()) > 0 || busy;
      } catch (err) {
        this.logger.error({ err }, 'webhook dispatch failed; retrying at the next poll');
      }
      if (!busy && !this.woken && !this.stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = null;
      }
    }
  }

  /** One batch of committed events into deliveries for every enabled endpoint that wants them; returns the events taken. */
  async fanOut(): Promise<number> {
    const [row] = (await this.ds.query(
      `WITH batch AS (
         SELECT e.position, e.id, e.type, e.request_id, e.customer_id, e.expert_id
           FROM events e WHERE e.dispatched_at IS NULL
          ORDER BY e.position LIMIT $1 FOR UPDATE SKIP LOCKED
       ), marked AS (
         UPDATE events SET dispatched_at = now() WHERE position IN (SELECT position FROM batch)
       ), fanned AS (
         INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, audience, status, next_attempt_at)
         SELECT ep.id, b.id, b.type, CASE WHEN ep.admin_id IS NOT NULL THEN 'admin' ELSE ${partnerAudienceSql('cu', 'ep.partner_id')} END, 'pending', now()
           FROM batch b
           JOIN users cu ON cu.id = b.customer_id
           JOIN webhook_endpoints ep ON ep.enabled AND ('*' = ANY(ep.events) OR b.type = ANY(ep.events))
          WHERE ep.admin_id IS NOT NULL OR ${partnerReadsEventSql('b', 'cu', 'ep.partner_id')}
         ON CONFLICT (endpoint_id, event_id) DO NOTHING
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM batch)::int AS events, (SELECT count(*) FROM fanned)::int AS deliveries`,
      [FAN_OUT_BATCH],
    )) as Array<{ events: number; deliveries: number }>;
    return row.events;
  }

  /** Claims due attempts (leased), sends them without waiting, returns how many were claimed. */
  private async claimAndSend(): Promise<number> {
    const free = MAX_IN_FLIGHT - this.inFlight.size;
    if (free <= 0) return 0;
    const full = [...this.perEndpoint].filter(([, n]) => n >= PER_ENDPOINT_IN_FLIGHT).map(([id]) => id);
    const rows = updatedRows(await this.ds.query(
      `WITH candidates AS (
         SELECT id FROM (
           SELECT w.id, w.next_attempt_at, row_number() OVER (PARTITION BY w.endpoint_id ORDER BY w.next_attempt_at) AS rn
             FROM webhook_deliveries w JOIN webhook_endpoints ep ON ep.id = w.endpoint_id AND ep.enabled
            WHERE w.status = 'pending' AND w.next_attempt_at <= now() AND (w.lease_until IS NULL OR w.lease_until < now())
              AND NOT (w.endpoint_id = ANY($1::uuid[]))
         ) ranked
          WHERE rn <= $2 ORDER BY next_attempt_at LIMIT $3
       ), claimable AS (
         SELECT w.id FROM webhook_deliveries w
          WHERE w.id IN (SELECT id FROM candidates) AND w.status = 'pending' AND (w.lease_until IS NULL OR w.lease_until < now())
            FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_deliveries d
          SET lease_until = now() + interval '${LEASE_SECONDS} seconds', attempts = d.attempts + 1,
              last_attempt_at = now(), first_attempt_at = COALESCE(d.first_attempt_at, now())
        WHERE d.id IN (SELECT id FROM claimable)
       RETURNING d.*`,
      [full, PER_ENDPOINT_IN_FLIGHT, free],
    ));
    if (rows.length === 0) return 0;
    const claimed = rows.map((row) => hydrate(this.ds.manager, WebhookDelivery, row));
    const endpoints = await this.ds.getRepository(WebhookEndpoint).findBy({ id: In([...new Set(claimed.map((d) => d.endpointId))]) });
    const events = (await this.ds.query(`SELECT id, type, request_id, sequence, payload, created_at FROM events WHERE id = ANY($1::uuid[])`, [
      claimed.map((d) => d.eventId),
    ])) as EventRow[];
    for (const delivery of claimed) {
      const endpoint = endpoints.find((e) => e.id === delivery.endpointId) as WebhookEndpoint;
      const event = events.find((e) => e.id === delivery.eventId);
      this.perEndpoint.set(endpoint.id, (this.perEndpoint.get(endpoint.id) ?? 0) + 1);
      const attempt = this.attempt(delivery, endpoint, event).finally(() => {
        this.inFlight.delete(delivery.id);
        const left = (this.perEndpoint.get(endpoint.id) ?? 1) - 1;
        if (left > 0) this.perEndpoint.set(endpoint.id, left);
        else this.perEndpoint.delete(endpoint.id);
        this.wake();
      });
      this.inFlight.set(delivery.id, attempt);
    }
    return claimed.length;
  }

  /** One attempt: the body in the endpoint owner's view, signed with every live secret, then its outcome recorded. */
  private async attempt(delivery: WebhookDelivery, endpoint: WebhookEndpoint, event: EventRow | undefined): Promise<void> {
    let result: DeliveryResult;
    if (delivery.eventType !== 'ping' && !event) {
      // The event was deleted by retention before it could be delivered.
      result = { ok: false, statusCode: null, durationMs: 0, error: 'event_expired', responseSnippet: '' };
    } else {
      const body = JSON.stringify(
        event
          ? toEvent(event, delivery.audience as Audience)
          : { id: delivery.eventId, type: 'ping', createdAt: delivery.createdAt.toISOString(), requestId: null, sequence: 0, data: { object: { endpointId: endpoint.id } } },
      );
      const now = new Date();
      const headers = { 'Fixbid-Event-Id': delivery.eventId, [SIGNATURE_HEADER]: signatureHeader(this.secretsOf(endpoint, now), Math.floor(now.getTime() / 1000), body) };
      result = await this.sender.send(endpoint.url, body, headers);
    }
    await this.record(delivery, endpoint, result).catch((err: unknown) => this.logger.error({ err, delivery: delivery.id }, 'could not record a webhook attempt'));
  }

  /** The current secret, and the previous one for 24 h after a rotation. */
  private secretsOf(endpoint: WebhookEndpoint, now: Date): string[] {
    const secrets = [this.box.open(endpoint.secretSealed)];
    if (endpoint.previousSecretSealed && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) secrets.push(this.box.open(endpoint.previousSecretSealed));
    return secrets;
  }

  private async record(delivery: WebhookDelivery, endpoint: WebhookEndpoint, result: DeliveryResult): Promise<void> {
    const now = new Date();
    const retryAt = result.ok ? null : nextRetryAt(delivery.firstAttemptAt ?? now, delivery.attempts, now);
    const status = result.ok ? 'delivered' : retryAt ? 'pending' : 'failed';
    // Only this attempt's own row: a newer attempt (after a lease ran out) is not overwritten.
    await this.ds.query(
      `UPDATE webhook_deliveries
          SET status = $3, next_attempt_at = $4, lease_until = NULL, last_status_code = $5, last_error = $6, last_duration_ms = $7,
              delivered_at = CASE WHEN $3 = 'delivered' THEN now() ELSE delivered_at END
        WHERE id = $1 AND attempts = $2`,
      [delivery.id, delivery.attempts, status, retryAt, result.statusCode, result.error, Math.round(result.durationMs)],
    );
    if (result.ok) {
      if (endpoint.failingSince) await this.ds.query(`UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1`, [endpoint.id]);
      return;
    }
    const failingSince = endpoint.failingSince ?? now;
    const disable = endpointShouldBeDisabled(failingSince, now);
    await this.ds.query(
      `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2), enabled = enabled AND NOT $3,
              disabled_reason = CASE WHEN $3 THEN 'Every delivery failed for 3 days; PATCH enabled: true to turn it back on.' ELSE disabled_reason END
        WHERE id = $1`,
      [endpoint.id, failingSince, disable],
    );
    if (disable) this.logger.warn({ endpoint: endpoint.id }, 'webhook endpoint disabled after failing for 3 days');
  }
}

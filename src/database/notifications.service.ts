import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

type Handler = (payload: string) => void;

const RECONNECT_MS = 1000;

/**
 * PostgreSQL LISTEN/NOTIFY for this process: one dedicated connection listening on the channels
 * features subscribe to. A NOTIFY sent inside a transaction arrives at commit, on every process,
 * so a process can act on another's commit at once instead of at its next poll. Notifications
 * sent while the connection is down are lost: subscribers hear `onReconnect` and catch up.
 */
@Injectable()
export class NotificationsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationsService.name);
  private readonly handlers = new Map<string, Handler[]>();
  private readonly reconnected: Array<() => void> = [];
  private client: Client | null = null;
  private stopping = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Subscribe before the application bootstraps (in onModuleInit). */
  on(channel: string, handler: Handler): void {
    this.handlers.set(channel, [...(this.handlers.get(channel) ?? []), handler]);
  }

  /** True while this process is listening: a notification sent now will be heard. */
  get listening(): boolean {
    return this.client !== null;
  }

  /** Called after a lost connection is back (whatever was notified meanwhile was missed). */
  onReconnect(handler: () => void): void {
    this.reconnected.push(handler);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.handlers.size) await this.connect(false);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  private async connect(again: boolean): Promise<void> {
    // A retry timer can outlive the application: once it is stopping, nothing connects again.
    if (this.stopping) return;
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'fixbid-listen' });
    client.on('notification', (msg) => {
      for (const handler of this.handlers.get(msg.channel) ?? []) handler(msg.payload ?? '');
    });
    client.on('error', (err) => {
      this.logger.warn({ err }, 'notification connection lost; reconnecting');
      void this.reconnect(client);
    });
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
      if (this.stopping) {
        await client.end();
        return;
      }
      this.client = client;
      if (again) for (const handler of this.reconnected) handler();
    } catch (err) {
      this.logger.warn({ err }, 'could not listen for notifications; retrying');
      await client.end().catch(() => undefined);
      this.later(() => void this.connect(again));
    }
  }

  private async reconnect(lost: Client): Promise<void> {
    if (this.stopping || this.client !== lost) return;
    this.client = null;
    await lost.end().catch(() => undefined);
    this.later(() => void this.connect(true));
  }

  private later(run: () => void): void {
    if (this.stopping) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, RECONNECT_MS);
    timer.unref();
    this.timers.add(timer);
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`channel name ${name} must be a lower-case identifier`);
  return name;
}

import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { SealedBox } from '../common/crypto/sealed-box';
import { DomainError, notFound } from '../common/errors/domain-error';
import { CursorCodec } from '../common/pagination/cursor.codec';
import { Page } from '../common/pagination/keyset';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { paginate } from '../common/pagination/paginate';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { forbiddenAddressReason, parseWebhookUrl } from './domain/address-policy';
import { newWebhookSecret } from './domain/webhook-signature';
import { CreateWebhookEndpointDto, UpdateWebhookEndpointDto } from './dto/webhook-endpoint.dto';
import { DELIVERIES_CHANNEL } from './webhook-dispatcher.service';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WEBHOOK_NETWORK, WebhookNetwork } from './webhook-network';

/** After a rotation the old secret signs beside the new one this long. */
const ROTATION_OVERLAP_MS = 24 * 3_600_000;

/**
 * A partner's (or an admin's) webhook endpoints: create (the secret shown once), list, read,
 * change, delete, rotate the secret, send a ping, list and retry deliveries. Another owner's
 * endpoint is 404 (A4). In production a url must be https and resolve to public addresses only,
 * checked here on create and on change, and again by the sender at every delivery (W7).
 */
@Injectable()
export class WebhookEndpointsService {
  private readonly box: SealedBox;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WEBHOOK_NETWORK) private readonly network: WebhookNetwork,
    private readonly cursors: CursorCodec,
  ) {
    this.box = new SealedBox(config.jwtSecret, 'webhook-secret');
  }

  async create(owner: Principal, dto: CreateWebhookEndpointDto): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    await this.checkUrl(dto.url);
    const secret = newWebhookSecret();
    const repo = this.ds.getRepository(WebhookEndpoint);
    const endpoint = await repo.save(
      repo.create({ ...ownerColumns(owner), url: dto.url, events: unique(dto.events), enabled: true, secretSealed: this.box.seal(secret) }),
    );
    return { endpoint, secret };
  }

  list(owner: Principal, query: PageQueryDto): Promise<Page<WebhookEndpoint>> {
    const qb = this.owned(owner);
    return paginate(qb, this.cursors, { sort: 'ep.createdAt', id: 'ep.id', direction: 'DESC', limit: query.limit, cursor: query.cursor, scope: 'webhook-endpoints' });
  }

  async get(owner: Principal, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.owned(owner).andWhere('ep.id = :id', { id }).getOne();
    if (!endpoint) throw notFound('Webhook endpoint');
    return endpoint;
  }

  async update(owner: Principal, id: string, dto: UpdateWebhookEndpointDto): Promise<WebhookEndpoint> {
    const endpoint = await this.get(owner, id);
    const changes: Partial<WebhookEndpoint> = {};
    if (dto.url !== undefined && dto.url !== endpoint.url) {
      await this.checkUrl(dto.url);
      changes.url = dto.url;
    }
    if (dto.events !== undefined) changes.events = unique(dto.events);
    if (dto.enabled === true) Object.assign(changes, { enabled: true, disabledReason: null, failingSince: null });
    if (dto.enabled === false) Object.assign(changes, { enabled: false, disabledReason: 'Disabled by its owner.' });
    if (Object.keys(changes).length) await this.ds.getRepository(WebhookEndpoint).update(endpoint.id, changes);
    return this.get(owner, id);
  }

  async remove(owner: Principal, id: string): Promise<void> {
    const endpoint = await this.get(owner, id);
    await this.ds.getRepository(WebhookEndpoint).delete(endpoint.id);
  }

  /** A new secret, shown once; the old one keeps signing (a second v1=) for 24 h. */
  async rotateSecret(owner: Principal, id: string): Promise<{ secret: string; previousSecretExpiresAt: Date }> {
    const endpoint = await this.get(owner, id);
    const secret = newWebhookSecret();
    const previousSecretExpiresAt = new Date(Date.now() + ROTATION_OVERLAP_MS);
    await this.ds.getRepository(WebhookEndpoint).update(endpoint.id, {
      secretSealed: this.box.seal(secret),
      previousSecretSealed: endpoint.secretSealed,
      previousSecretExpiresAt,
    });
    return { secret, previousSecretExpiresAt };
  }

  /** A `ping` event (requestId null, sequence 0), sent at once; not listed in GET /v1/events. */
  async ping(owner: Principal, id: string): Promise<WebhookDelivery> {
    const endpoint = await this.get(owner, id);
    const repo = this.ds.getRepository(WebhookDelivery);
    const delivery = await repo.save(
      repo.create({ endpointId: endpoint.id, eventId: randomUUID(), eventType: 'ping', audience: endpoint.adminId ? 'admin' : 'customer', status: 'pending', nextAttemptAt: new Date() }),
    );
    await this.notifyDue();
    return delivery;
  }

  async deliveries(owner: Principal, id: string, query: PageQueryDto): Promise<Page<WebhookDelivery>> {
    const endpoint = await this.get(owner, id);
    const qb = this.ds.getRepository(WebhookDelivery).createQueryBuilder('d').where('d.endpointId = :id', { id: endpoint.id });
    return paginate(qb, this.cursors, { sort: 'd.createdAt', id: 'd.id', direction: 'DESC', limit: query.limit, cursor: query.cursor, scope: `webhook-deliveries:${endpoint.id}` });
  }

  /** Sends a delivery again now (a failed one too, with a fresh 3-day window); one being attempted right now is left to finish. */
  async retry(owner: Principal, id: string, deliveryId: string): Promise<WebhookDelivery> {
    const endpoint = await this.get(owner, id);
    const repo = this.ds.getRepository(WebhookDelivery);
    const delivery = await repo.findOneBy({ id: deliveryId, endpointId: endpoint.id });
    if (!delivery) throw notFound('Delivery');
    await this.ds.query(
      `UPDATE webhook_deliveries
          SET status = 'pending', next_attempt_at = now(), first_attempt_at = CASE WHEN status = 'failed' THEN NULL ELSE first_attempt_at END
        WHERE id = $1 AND (lease_until IS NULL OR lease_until < now())`,
      [delivery.id],
    );
    await this.notifyDue();
    return repo.findOneByOrFail({ id: delivery.id });
  }

  private owned(owner: Principal): SelectQueryBuilder<WebhookEndpoint> {
    const qb = this.ds.getRepository(WebhookEndpoint).createQueryBuilder('ep');
    return owner.role === 'partner' ? qb.where('ep.partnerId = :owner', { owner: owner.partnerId }) : qb.where('ep.adminId = :owner', { owner: owner.userId });
  }

  private async notifyDue(): Promise<void> {
    await this.ds.query(`SELECT pg_notify('${DELIVERIES_CHANNEL}', '')`);
  }

  /** W7: the url's shape, and in production every address its host resolves to (the sender checks again at each delivery). */
  private async checkUrl(url: string): Promise<void> {
    const production = this.config.nodeEnv === 'production';
    const target = parseWebhookUrl(url, production);
    if ('problem' in target) throw invalidUrl(target.problem);
    if (!production) return;
    let addresses: Array<{ address: string }> = [{ address: target.host }];
    try {
      if (!target.isIpLiteral) addresses = await this.network.resolver(target.host);
    } catch {
      throw invalidUrl(`The host ${target.host} does not resolve.`);
    }
    const refused = addresses.map((a) => forbiddenAddressReason(a.address)).find((reason) => reason !== null);
    if (addresses.length === 0 || refused) throw invalidUrl(`The host ${target.host} resolves to an address webhooks may not reach (${refused ?? 'none'}).`);
  }
}

function ownerColumns(owner: Principal): Pick<WebhookEndpoint, 'partnerId' | 'adminId'> {
  return owner.role === 'partner' ? { partnerId: owner.partnerId as string, adminId: null } : { partnerId: null, adminId: owner.userId };
}

const unique = (events: string[]) => (events.includes('*') ? ['*'] : [...new Set(events)]);
const invalidUrl = (message: string) => new DomainError('invalid_field', message, 'url');

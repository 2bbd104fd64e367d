import { ConnectStep, connectToCheckedAddress, Resolver, systemResolver } from './webhook-sender';

/** How webhooks reach the network: DNS and the connect step. Tests inject both, so no test sends a packet to a private range (W7). */
export interface WebhookNetwork {
  resolver: Resolver;
  connect: ConnectStep;
}

export const WEBHOOK_NETWORK = Symbol('WEBHOOK_NETWORK');

export const systemWebhookNetwork = (): WebhookNetwork => ({ resolver: systemResolver, connect: connectToCheckedAddress() });

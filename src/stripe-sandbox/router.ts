import { accountRoutes } from './accounts';
import { balanceRoutes } from './balances';
import { chargeRoutes } from './charges';
import { json, Route } from './context';
import { disputeRoutes } from './disputes';
import { paramError } from './errors';
import { eventRoutes } from './events';
import type { FaultKind, Faults } from './faults';
import { paymentIntentRoutes } from './payment-intents';
import { refundRoutes } from './refunds';
import { searchRoutes } from './search';
import { transferRoutes } from './transfers';
import type { WebhookDispatcher } from './webhooks';

interface CompiledRoute {
  route: Route;
  regex: RegExp;
  names: string[];
}

export interface RouteMatch {
  route: Route;
  pathParams: Record<string, string>;
}

/** Manual controls for people poking at `npm start`'s sandbox with curl. */
function sandboxRoutes(faults: Faults, dispatcher: WebhookDispatcher): Route[] {
  return [
    { method: 'GET', pattern: '/sandbox/faults', public: true, handler: () => json(faults.pending()) },
    {
      method: 'POST',
      pattern: '/sandbox/faults',
      public: true,
      handler: ({ params }) => {
        params.allowOnly(['path', 'status', 'count', 'apply_first', 'webhook_type', 'refuse_code', 'refuse_message']);
        const count = params.integer('count') ?? 1;
        const webhookType = params.string('webhook_type');
        const path = params.string('path');
        if (webhookType) {
          faults.dropWebhooks(webhookType, count);
        } else if (params.has('refuse_code') || params.has('refuse_message')) {
          if (!path) throw paramError('Missing required param: path.', 'parameter_missing', 'path');
          const status = params.oneOf('status', ['400', '402']) ?? '400';
          faults.refuseNext(path, { code: params.string('refuse_code') || undefined, message: params.string('refuse_message'), status: Number(status) as 400 | 402, count });
        } else {
          const status = params.oneOf('status', ['500', '502', '503', '429', 'timeout', 'reset']) ?? '500';
          const kind = (/^\d+$/.test(status) ? Number(status) : status) as FaultKind;
          if (!path) throw paramError('Missing required param: path (or webhook_type).', 'parameter_missing', 'path');
          faults.failNext(path, { status: kind, count, applyFirst: params.boolean('apply_first') ?? false });
        }
        return json(faults.pending());
      },
    },
    {
      method: 'DELETE',
      pattern: '/sandbox/faults',
      public: true,
      handler: () => {
        faults.clear();
        return json(faults.pending());
      },
    },
    {
      method: 'GET',
      pattern: '/sandbox/webhooks',
      public: true,
      handler: () => json({ url: dispatcher.url ?? null, deliveries: dispatcher.deliveries.slice(-200) }),
    },
  ];
}

export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(faults: Faults, dispatcher: WebhookDispatcher) {
    const routes = [
      ...searchRoutes,
      ...paymentIntentRoutes,
      ...chargeRoutes,
      ...refundRoutes,
      ...transferRoutes,
      ...accountRoutes,
      ...eventRoutes,
      ...disputeRoutes,
      ...balanceRoutes,
      ...sandboxRoutes(faults, dispatcher),
    ];
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.pattern
        .split('/')
        .map((segment) => {
          if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(segment.slice(1));
          return '([^/]+)';
        })
        .join('/');
      return { route, regex: new RegExp(`^${source}$`), names };
    });
  }

  match(method: string, path: string): RouteMatch | undefined {
    for (const { route, regex, names } of this.compiled) {
      if (route.method !== method) continue;
      const found = regex.exec(path);
      if (!found) continue;
      const pathParams: Record<string, string> = {};
      names.forEach((name, i) => {
        pathParams[name] = decodeURIComponent(found[i + 1]);
      });
      return { route, pathParams };
    }
    return undefined;
  }
}

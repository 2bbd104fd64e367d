import { json, Route } from './context';
import { resourceMissing } from './errors';
import { LIST_PARAMS, newestFirst, paginate, render } from './lists';
import type { EventObject } from './objects';
import type { SandboxState } from './state';

/** The API version the official SDK (stripe v23) pins; events carry it. */
export const SANDBOX_API_VERSION = '2026-10-28.endive';

export interface EventRequest {
  id: string | null;
  idempotencyKey: string | null;
}

/** An Event whose data.object is a snapshot of the object at the moment of the change. */
export function createEvent(
  state: SandboxState,
  apiVersion: string,
  type: string,
  object: object,
  request: EventRequest,
  previousAttributes?: Record<string, unknown>,
): EventObject {
  const data: EventObject['data'] = { object: structuredClone(object) };
  if (previousAttributes) data.previous_attributes = structuredClone(previousAttributes);
  const event: EventObject = {
    id: state.newId('evt'),
    object: 'event',
    api_version: apiVersion,
    created: state.now(),
    data,
    livemode: false,
    pending_webhooks: 0,
    request: { id: request.id, idempotency_key: request.idempotencyKey },
    type,
  };
  state.addEvent(event);
  return event;
}

/** `payment_intent.*` style patterns, as Stripe's `type` filter accepts. */
export function matchesType(pattern: string | RegExp, type: string): boolean {
  if (pattern instanceof RegExp) return pattern.test(type);
  if (!pattern.includes('*')) return pattern === type;
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`);
  return regex.test(type);
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const eventRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/v1/events',
    handler: ({ params, state }) => {
      params.allowOnly([...LIST_PARAMS, 'type', 'types', 'delivery_success']);
      const type = params.string('type');
      const types = params.stringArray('types');
      const items = newestFirst(state.events).filter(
        (event) =>
          (!type || matchesType(type, event.type)) && (!types || types.some((t) => matchesType(t, event.type))),
      );
      return json(render(paginate(items, params, '/v1/events', 'event'), params.expand(), state));
    },
  },
  {
    method: 'GET',
    pattern: '/v1/events/:id',
    handler: ({ params, state, pathParams }) => {
      params.allowOnly(['expand']);
      const event = state.events.get(pathParams.id);
      if (!event) throw resourceMissing('event', pathParams.id);
      return json(render(event, params.expand(), state));
    },
  },
];

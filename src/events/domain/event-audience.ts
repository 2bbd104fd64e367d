/**
 * Who may read an event, and the `object` each audience gets (contract §3 "events"): the
 * resource as that audience may see it when the event happened — never a client secret, another
 * party's Stripe ids or an email. Stored payloads are the fullest public view of the resource;
 * these rules cut them per audience. Pure.
 */

export type Audience = 'customer' | 'expert' | 'admin';

export interface EventFacts {
  readonly type: string;
  /** The request's customer (every event belongs to one request). */
  readonly customerId: string;
  /** The expert the event concerns: the bidder of a bid event, the awarded expert of the job's. */
  readonly expertId: string | null;
}

/**
 * Whether `userId` in `audience` reads this event. A customer reads every event of their requests
 * but another user's payout account; an expert the events that concern them and the request's
 * own events once they bid on it (never another expert's bid); an admin all.
 */
export function readsEvent(audience: Audience, userId: string, event: EventFacts, bidOnRequest: boolean): boolean {
  switch (audience) {
    case 'admin':
      return true;
    case 'customer':
      return event.customerId === userId && !event.type.startsWith('payout.');
    case 'expert':
      return event.expertId === userId || (event.type.startsWith('request.') && bidOnRequest);
  }
}

/** The types whose object is an escrow. */
const ESCROW_OBJECT = /^(escrow\.|chargeback\.|refund\.failed$|warranty\.)/;

/** The event's object as `audience` sees it. */
export function eventObjectFor(type: string, stored: Record<string, unknown>, audience: Audience): Record<string, unknown> {
  if (!ESCROW_OBJECT.test(type)) return stored;
  // The PaymentIntent is the customer's: its id is theirs and the admins'; a client secret is nobody's here.
  return { ...stored, clientSecret: null, ...(audience === 'expert' && { paymentIntentId: null }) };
}

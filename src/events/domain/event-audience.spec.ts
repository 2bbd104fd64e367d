import { eventObjectFor, readsEvent } from './event-audience';

const customer = 'c1';
const winner = 'e1';
const loser = 'e2';
const event = (type: string, expertId: string | null) => ({ type, customerId: customer, expertId });

describe('who reads an event (API1, API3)', () => {
  it.each([
    // type, expertId on the event, customer, winner, loser (who bid too), another customer
    ['request.created', null, true, true, true, false],
    ['request.updated', winner, true, true, true, false],
    ['bid.created', loser, true, false, true, false],
    ['bid.accepted', winner, true, true, false, false],
    ['escrow.funded', winner, true, true, false, false],
    ['escrow.payment_failed', null, true, false, false, false],
    ['dispute.opened', winner, true, true, false, false],
    ['message.created', winner, true, true, false, false],
    ['payout.account_updated', winner, false, true, false, false],
  ] as const)('%s (concerning %s)', (type, expertId, byCustomer, byWinner, byLoser, byStranger) => {
    const e = event(type, expertId);
    expect(readsEvent('customer', customer, e, false)).toBe(byCustomer);
    expect(readsEvent('expert', winner, e, true)).toBe(byWinner);
    expect(readsEvent('expert', loser, e, true)).toBe(byLoser);
    expect(readsEvent('customer', 'c2', e, false)).toBe(byStranger);
    expect(readsEvent('expert', 'e3', e, false)).toBe(false);
    expect(readsEvent('admin', 'a1', e, false)).toBe(true);
  });

  it('an escrow event never carries a client secret; the expert does not see the customer\'s PaymentIntent', () => {
    const stored = { id: 'es1', status: 'held', paymentIntentId: 'pi_1', clientSecret: 'pi_1_secret_x' };
    expect(eventObjectFor('escrow.funded', stored, 'expert')).toEqual({ id: 'es1', status: 'held', paymentIntentId: null, clientSecret: null });
    expect(eventObjectFor('escrow.funded', stored, 'customer')).toEqual({ id: 'es1', status: 'held', paymentIntentId: 'pi_1', clientSecret: null });
    expect(eventObjectFor('escrow.funded', stored, 'admin')).toMatchObject({ paymentIntentId: 'pi_1', clientSecret: null });
    expect(eventObjectFor('request.updated', { id: 'r1' }, 'expert')).toEqual({ id: 'r1' });
    for (const type of ['chargeback.opened', 'chargeback.closed', 'refund.failed']) {
      expect(eventObjectFor(type, stored, 'expert')).toMatchObject({ paymentIntentId: null, clientSecret: null });
    }
  });
});

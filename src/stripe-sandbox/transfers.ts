import { accountAvailable, adjustAccountBalance } from './balances';
import { committedAmount, createBalanceTransaction, getCharge } from './charges';
import { json, RequestContext, Route } from './context';
import { invalidRequest, paramError, resourceMissing } from './errors';
import { LIST_PARAMS, newestFirst, paginate, render } from './lists';
import type { TransferObject, TransferReversalObject } from './objects';
import { applyMetadata } from './params';
import { randomToken } from './state';

const CREATE_PARAMS = ['amount', 'currency', 'description', 'destination', 'expand', 'metadata', 'source_transaction', 'source_type', 'transfer_group'];
const REVERSAL_PARAMS = ['amount', 'description', 'expand', 'metadata', 'refund_application_fee'];

const dollars = (amount: number) => `$${(amount / 100).toFixed(2)}`;

function getTransfer(ctx: RequestContext, id: string): TransferObject {
  const transfer = ctx.state.transfers.get(id);
  if (!transfer) throw resourceMissing('transfer', id);
  return transfer;
}

/** Separate charges and transfers: the destination must be able to receive, the source charge must cover it. */
function createTransfer(ctx: RequestContext) {
  const p = ctx.params.allowOnly(CREATE_PARAMS);
  const amount = p.requiredInteger('amount');
  const currency = p.currency();
  const destinationId = p.requiredString('destination');
  if (amount < 1) throw paramError('This value must be greater than or equal to 1.', 'parameter_invalid_integer', 'amount');
  const metadata = applyMetadata({}, p);
  const sourceId = p.string('source_transaction');
  const destination = ctx.state.accounts.get(destinationId);
  if (!destination) throw resourceMissing('destination', destinationId, 'destination');
  if (destination.capabilities.transfers !== 'active' && destination.capabilities.crypto_transfers !== 'active') {
    throw invalidRequest(
      'Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments',
      { code: 'insufficient_capabilities_for_transfer', param: 'destination' },
    );
  }
  let transferGroup = p.nullableString('transfer_group') ?? null;
  if (sourceId) {
    const charge = getCharge(ctx.state, sourceId, 'source_transaction');
    if (charge.status !== 'succeeded') {
      throw invalidRequest(`The source_transaction ${charge.id} has not succeeded; only a succeeded charge can fund a transfer.`, {
        param: 'source_transaction',
      });
    }
    if (charge.currency !== currency) {
      throw invalidRequest(
        `The currency of source_transaction's balance transaction (${charge.currency}) must be the same as the transfer currency (${currency}).`,
        { code: 'transfer_source_balance_parameters_mismatch', param: 'currency' },
      );
    }
    const { refunded, transferred } = committedAmount(ctx.state, charge);
    const available = charge.amount - refunded - transferred;
    if (amount > available) {
      throw invalidRequest(
        `Insufficient funds on source_transaction ${charge.id}: the transfer amount (${dollars(amount)}) exceeds what is neither refunded nor already transferred (${dollars(available)}).`,
        { code: 'balance_insufficient', param: 'amount' },
      );
    }
    transferGroup ??= charge.transfer_group;
  }
  const id = ctx.state.newId('tr');
  const balance = createBalanceTransaction(ctx.state, { amount: -amount, currency, type: 'transfer', source: id });
  const transfer: TransferObject = {
    id,
    object: 'transfer',
    amount,
    amount_reversed: 0,
    balance_transaction: balance.id,
    created: ctx.state.now(),
    currency,
    description: p.nullableString('description') ?? null,
    destination: destination.id,
    destination_payment: `py_${randomToken(24)}`,
    livemode: false,
    metadata,
    reversals: { object: 'list', data: [], has_more: false, url: `/v1/transfers/${id}/reversals` },
    reversed: false,
    source_transaction: sourceId ?? null,
    source_type: 'card',
    transfer_group: transferGroup,
  };
  ctx.state.transfers.set(id, transfer);
  adjustAccountBalance(ctx.state, destination.id, currency, amount);
  ctx.emit('transfer.created', transfer);
  return json(render(transfer, p.expand(), ctx.state));
}

function createReversal(ctx: RequestContext) {
  const p = ctx.params.allowOnly(REVERSAL_PARAMS);
  const requested = p.integer('amount');
  if (requested !== undefined && requested < 1) {
    throw paramError('This value must be greater than or equal to 1.', 'parameter_invalid_integer', 'amount');
  }
  const metadata = applyMetadata({}, p);
  const transfer = getTransfer(ctx, ctx.pathParams.id);
  const remaining = transfer.amount - transfer.amount_reversed;
  if (remaining === 0) {
    throw invalidRequest(`Transfer ${transfer.id} has already been fully reversed.`, { code: 'amount_too_large', param: 'amount' });
  }
  const amount = requested ?? remaining;
  if (amount > remaining) {
    throw invalidRequest(
      `Amount (${dollars(amount)}) is greater than the remaining amount on the transfer (${dollars(remaining)}).`,
      { code: 'amount_too_large', param: 'amount' },
    );
  }
  // Stripe takes a reversal from the connected account's available balance: money the expert
  // already paid out to the bank cannot be pulled back.
  const available = accountAvailable(ctx.state, transfer.destination, transfer.currency);
  if (amount > available) {
    throw invalidRequest(
      `Insufficient funds in the connected account ${transfer.destination} to reverse this transfer: the reversal needs ${dollars(amount)} and the account's available balance is ${dollars(available)}.`,
      { code: 'balance_insufficient', param: 'amount' },
    );
  }
  const id = ctx.state.newId('trr');
  const balance = createBalanceTransaction(ctx.state, { amount, currency: transfer.currency, type: 'transfer_refund', source: id });
  const reversal: TransferReversalObject = {
    id,
    object: 'transfer_reversal',
    amount,
    balance_transaction: balance.id,
    created: ctx.state.now(),
    currency: transfer.currency,
    destination_payment_refund: `pyr_${randomToken(24)}`,
    metadata,
    source_refund: null,
    transfer: transfer.id,
  };
  ctx.state.reversals.set(id, reversal);
  adjustAccountBalance(ctx.state, transfer.destination, transfer.currency, -amount);
  const previous = { amount_reversed: transfer.amount_reversed, reversed: transfer.reversed };
  transfer.amount_reversed += amount;
  transfer.reversed = transfer.amount_reversed === transfer.amount;
  transfer.reversals.data.unshift(reversal);
  ctx.emit('transfer.reversed', transfer, previous);
  return json(render(reversal, p.expand(), ctx.state));
}

export const transferRoutes: Route[] = [
  { method: 'POST', pattern: '/v1/transfers', handler: createTransfer },
  {
    method: 'GET',
    pattern: '/v1/transfers',
    handler: ({ params, state }) => {
      params.allowOnly([...LIST_PARAMS, 'destination', 'transfer_group']);
      const group = params.string('transfer_group');
      const destination = params.string('destination');
      const items = newestFirst(state.transfers).filter((t) => (!group || t.transfer_group === group) && (!destination || t.destination === destination));
      return json(render(paginate(items, params, '/v1/transfers', 'transfer'), params.expand(), state));
    },
  },
  {
    method: 'GET',
    pattern: '/v1/transfers/:id',
    handler: (ctx) => {
      ctx.params.allowOnly(['expand']);
      return json(render(getTransfer(ctx, ctx.pathParams.id), ctx.params.expand(), ctx.state));
    },
  },
  { method: 'POST', pattern: '/v1/transfers/:id/reversals', handler: createReversal },
  {
    method: 'GET',
    pattern: '/v1/transfers/:id/reversals',
    handler: (ctx) => {
      ctx.params.allowOnly(LIST_PARAMS);
      const transfer = getTransfer(ctx, ctx.pathParams.id);
      const items = newestFirst(ctx.state.reversals).filter((r) => r.transfer === transfer.id);
      const url = `/v1/transfers/${transfer.id}/reversals`;
      return json(render(paginate(items, ctx.params, url, 'transfer_reversal'), ctx.params.expand(), ctx.state));
    },
  },
  {
    method: 'GET',
    pattern: '/v1/transfers/:id/reversals/:reversal',
    handler: (ctx) => {
      ctx.params.allowOnly(['expand']);
      const reversal = ctx.state.reversals.get(ctx.pathParams.reversal);
      if (!reversal || reversal.transfer !== ctx.pathParams.id) throw resourceMissing('transfer_reversal', ctx.pathParams.reversal);
      return json(render(reversal, ctx.params.expand(), ctx.state));
    },
  },
];

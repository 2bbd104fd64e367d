import { ApiProperty } from '@nestjs/swagger';
import { Currency } from '../domain/money';
import { clientSecretVisible, ESCROW_STATUSES, EscrowStatus, EscrowViewer, PAYOUT_STATUSES, PayoutStatus } from '../domain/escrow-rules';
import { Escrow } from '../escrow.entity';

/** A sum in the escrow's currency; fees and refunds may be below the 500 minimum of a request. */
export class EscrowMoney {
  @ApiProperty({ type: 'integer', example: 4500, description: 'integer minor units' }) amount!: number;
  @ApiProperty({ enum: ['usd', 'eur', 'gbp'], example: 'usd' }) currency!: Currency;
}

/** The charge's chargeback (a Stripe dispute), as far as the customer's bank has decided it. */
export class EscrowChargeback {
  @ApiProperty({ enum: ['open', 'won', 'lost'] }) status!: 'open' | 'won' | 'lost';
  @ApiProperty({ type: EscrowMoney, description: 'What the bank disputes (possibly part of the charge).' }) amount!: EscrowMoney;
}

/** The fix warranty: the holdback of the expert's payout while it runs, and what became of it. */
export class EscrowWarranty {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 30 }) days!: number;
  @ApiProperty({ type: EscrowMoney, description: 'WARRANTY_HOLDBACK_BPS of the expert payout, held until endsAt.' }) holdback!: EscrowMoney;
  @ApiProperty({ type: String, format: 'date-time' }) endsAt!: string;
  @ApiProperty({ enum: ['held', 'released', 'disputed', 'refunded'] }) status!: 'held' | 'released' | 'disputed' | 'refunded';
}

/**
 * GET /v1/requests/:id/escrow (contract §3 "Escrow"). `clientSecret` is only ever filled for the
 * paying customer while payment is due; experts and admins always get null (A2, API3). The
 * PaymentIntent is the customer's Stripe object: the expert gets null for its id too (API3).
 */
export class EscrowResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiProperty({ enum: ESCROW_STATUSES }) status!: EscrowStatus;
  @ApiProperty({ type: EscrowMoney, description: 'The accepted bid: what the customer pays.' }) amount!: EscrowMoney;
  @ApiProperty({ type: EscrowMoney, description: 'floor(amount × PLATFORM_FEE_BPS / 10000).' }) platformFee!: EscrowMoney;
  @ApiProperty({ type: EscrowMoney, description: 'amount − platformFee: what the expert receives on release.' }) expertPayout!: EscrowMoney;
  @ApiProperty({ type: EscrowMoney }) refundedAmount!: EscrowMoney;
  @ApiProperty({ enum: PAYOUT_STATUSES }) payoutStatus!: PayoutStatus;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When a pending payout may go (the security hold, PAYOUT_HOLD_HOURS); null when none is pending or while it waits for the payee to finish onboarding.',
  })
  payoutAvailableAt!: string | null;
  @ApiProperty({ type: EscrowWarranty, nullable: true, description: 'Set once a job whose bid had warrantyDays > 0 is released.' })
  warranty!: EscrowWarranty | null;
  @ApiProperty({ type: EscrowChargeback, nullable: true }) chargeback!: EscrowChargeback | null;
  @ApiProperty({ type: String, nullable: true, example: 'pi_3NqY...', description: 'The request owner and admins only; null for the expert.' })
  paymentIntentId!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'For Stripe.js confirmCardPayment: only the request owner sees it, and only while status is requires_payment.',
  })
  clientSecret!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) fundedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) releasedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) refundedAt!: string | null;

  /** `payoutReady`: false while the expert's account cannot take the Transfer (then no date is promised). */
  static from(escrow: Escrow, viewer: EscrowViewer | 'public', payoutReady = true): EscrowResponse {
    const money = (amount: number): EscrowMoney => ({ amount, currency: escrow.currency as Currency });
    return {
      id: escrow.id,
      requestId: escrow.requestId,
      status: escrow.status,
      amount: money(escrow.amount),
      platformFee: money(escrow.platformFee),
      expertPayout: money(escrow.expertPayout),
      // What went back to the customer, from the held money or from a warranty holdback.
      refundedAmount: money(escrow.refundedAmount + escrow.warrantyRefunded),
      payoutStatus: escrow.payoutStatus,
      payoutAvailableAt: escrow.payoutStatus === 'pending' && payoutReady ? (escrow.payoutAvailableAt?.toISOString() ?? null) : null,
      warranty:
        escrow.warrantyStatus && escrow.warrantyEndsAt
          ? { days: escrow.warrantyDays, holdback: money(escrow.warrantyHoldback), endsAt: escrow.warrantyEndsAt.toISOString(), status: escrow.warrantyStatus }
          : null,
      chargeback: escrow.chargebackStatus ? { status: escrow.chargebackStatus, amount: money(escrow.chargebackAmount ?? 0) } : null,
      paymentIntentId: viewer === 'expert' ? null : escrow.paymentIntentId,
      clientSecret: viewer !== 'public' && clientSecretVisible(viewer, escrow.status) ? escrow.clientSecret : null,
      fundedAt: escrow.fundedAt?.toISOString() ?? null,
      releasedAt: escrow.releasedAt?.toISOString() ?? null,
      refundedAt: escrow.refundedAt?.toISOString() ?? null,
    };
  }
}

/** The same object without anything a third party must not see: for outbox events (partners, experts). */
export const escrowEventObject = (escrow: Escrow): EscrowResponse => EscrowResponse.from(escrow, 'public');

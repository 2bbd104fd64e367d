import { ApiProperty } from '@nestjs/swagger';
import { PAYOUT_ACCOUNT_STATUSES, PayoutAccountStatus } from '../domain/payout-account-status';

/** An expert's or a partner's Connect account, as the responses read it. */
type ConnectAccountRow = { readonly status: PayoutAccountStatus; readonly payoutsEnabled: boolean };

/** `GET /v1/experts/me/payout-account` and `GET /v1/partner/payout-account`. No Stripe ids leave the server (API3). */
export class PayoutAccountResponse {
  @ApiProperty({ enum: PAYOUT_ACCOUNT_STATUSES, description: 'pending: onboarding not finished; enabled: can be paid; restricted: Stripe needs more from the account holder.' })
  status!: PayoutAccountStatus;

  @ApiProperty() payoutsEnabled!: boolean;

  static from(account: ConnectAccountRow): PayoutAccountResponse {
    return { status: account.status, payoutsEnabled: account.payoutsEnabled };
  }
}

/** `POST /v1/experts/me/payout-account`: open `onboardingUrl` (Stripe-hosted, short-lived) to finish onboarding. */
export class PayoutOnboardingResponse {
  @ApiProperty({ enum: PAYOUT_ACCOUNT_STATUSES }) status!: PayoutAccountStatus;
  @ApiProperty({ format: 'uri', description: 'A Stripe account link; it expires within minutes, POST again for a fresh one.' })
  onboardingUrl!: string;

  static from(account: ConnectAccountRow, onboardingUrl: string): PayoutOnboardingResponse {
    return { status: account.status, onboardingUrl };
  }
}

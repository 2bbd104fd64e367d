import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DisputeOpeningService } from '../disputes/dispute-opening.service';
import { HoldLimitService } from '../disputes/hold-limit.service';
import { PayoutAccountsService } from '../payouts/payout-accounts.service';

/**
 * Services of the features built on payments that payments calls inside its own transactions:
 * the hold-limit timer (funding), the dispute row (chargeback), the payout account (account.updated).
 * Looked up at call time rather than imported as modules — those modules import payments, so an
 * import here would be a cycle. Each is null when its module is not in the app.
 */
@Injectable()
export class CollaboratingServices {
  constructor(private readonly moduleRef: ModuleRef) {}

  holdLimit(): HoldLimitService | null {
    return this.find(HoldLimitService);
  }

  disputeOpening(): DisputeOpeningService | null {
    return this.find(DisputeOpeningService);
  }

  payoutAccounts(): PayoutAccountsService | null {
    return this.find(PayoutAccountsService);
  }

  private find<T>(type: new (...args: never[]) => T): T | null {
    try {
      return this.moduleRef.get(type, { strict: false });
    } catch {
      return null;
    }
  }
}

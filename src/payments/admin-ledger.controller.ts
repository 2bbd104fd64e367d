import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth/principal';
import { ApiErrors } from '../docs/error-response';
import { LedgerReportResponse } from './dto/ledger-report.response';
import { LedgerReportService } from './ledger-report.service';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/admin/ledger')
export class AdminLedgerController {
  constructor(private readonly reports: LedgerReportService) {}

  @Get()
  @ApiOperation({
    summary: 'Ledger balances and invariants',
    description:
      'Every ledger transaction balances; escrow_held equals the held escrows; per request transfers + refunds never exceed the charge; ' +
      'nothing paid or refunded twice; each release books the fee kept as platform net + partner share, and partner_payable is the shares owed ' +
      'less those transferred; plus what the last reconciliation with Stripe found.',
  })
  @ApiOkResponse({ type: LedgerReportResponse })
  @ApiErrors(401, 403)
  async get(): Promise<LedgerReportResponse> {
    return LedgerReportResponse.from(await this.reports.report());
  }
}

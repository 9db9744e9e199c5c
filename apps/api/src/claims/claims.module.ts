import { Module } from '@nestjs/common';
import { ClaimCommandHandler, ClaimReports, FinanceReports } from '@ledger/application';
import { ClaimsController } from './claims.controller';
import { FinanceReportsController } from './finance-reports.controller';
import { LedgerController } from './ledger.controller';
import { SpotCheckCommandHandler, SpotChecksController } from './spot-checks.controller';

/** The claim cycle (DOMAIN.md 5): claims and their reports, government spot checks, the ledger and the finance reports. */
@Module({
  controllers: [ClaimsController, SpotChecksController, LedgerController, FinanceReportsController],
  providers: [ClaimCommandHandler, SpotCheckCommandHandler, ClaimReports, FinanceReports],
})
export class ClaimsModule {}

import { Module } from '@nestjs/common';
import { SQL_CLIENT, type SqlClient } from '@ledger/event-store';
import { OutcomeQueries, ReportingResults } from '@ledger/projections';
import { ReportingRefresher } from '../reporting/reporting-refresher';
import { READ_MODEL_SCHEMA } from '../shared.module';
import { ProgrammeDashboardController } from './programme-dashboard.controller';

/** The programme dashboard, and the reporting results BI tools read (refreshed in the background). */
@Module({
  controllers: [ProgrammeDashboardController],
  providers: [
    {
      provide: ReportingResults,
      inject: [SQL_CLIENT, OutcomeQueries, READ_MODEL_SCHEMA],
      useFactory: (sql: SqlClient, outcomes: OutcomeQueries, schema: string) => new ReportingResults(sql, outcomes, schema),
    },
    ReportingRefresher,
  ],
})
export class DashboardsModule {}

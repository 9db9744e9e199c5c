/**
 * @ledger/reporting: documents built from data already read (no store, no clock, no framework).
 * Every writer returns the same bytes for the same input.
 */
export type {
  ClaimReport,
  ClaimReportFamily,
  ClaimReportSignOff,
  ClaimReportPayment,
  ClaimRoute,
  ClaimAuditStatus,
  ClaimSignOffRole,
  ClaimTotals,
} from './claim-report';
export { claimRoutes, claimTotals, poundsText } from './claim-report';
export { claimReportCsv } from './claim-report.csv';
export { claimReportXlsx } from './claim-report.xlsx';
export { claimReportPdf } from './claim-report.pdf';

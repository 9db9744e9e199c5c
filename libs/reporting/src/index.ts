/**
 * @ledger/reporting: documents built from data already read (no store, no clock, no framework).
 * Every writer returns the same bytes for the same input.
 */
export type { ClaimReport, ClaimReportFamily, ClaimReportSignOff, ClaimDeclaration, ClaimRoute, ClaimAuditStatus, ClaimSignOffRole, ClaimTotals } from './claim-report';
export { claimRoutes, claimTotals, poundsText } from './claim-report';
export { claimReportCsv } from './claim-report.csv';
export { claimReportXlsx } from './claim-report.xlsx';
export { claimReportPdf } from './claim-report.pdf';
export type { ClaimPositionFigures, ClaimPositionReport } from './claim-position';
export { claimPositionCsv, claimPositionFigures, claimPositionPdf, claimPositionXlsx } from './claim-position';
export type { ReportCell, ReportCellKind, ReportColumn, ReportDocument, ReportSection, ReportTable } from './report-document';
export { reportDocumentXlsx, poundsFormat } from './report-document.xlsx';
export { reportDocumentPdf } from './report-document.pdf';
export type { CountTable, PublishedCount, SuppressedTable, SuppressionOptions, SuppressionReason, TablePosition, TableRelation } from './suppression';
export { defaultSuppressionThreshold, derivableSuppressed, revealsSuppressed, suppressTable } from './suppression';
export type { HeadlineProblem, OutcomeResult, OutcomesFamily, OutcomesReport, OutcomesReportOptions, OutcomesTable } from './outcomes-report';
export { headlineProblemCounts, headlineProblems, outcomeResults, outcomesReport, outcomesReportCsv, suppressedMarker } from './outcomes-report';
export type { CsvValue } from './csv';
export { csvField, csvRecords } from './csv';
export type { AttachmentFeeYear, AttachmentFeesReport, ReconciledClaim, ReconciliationGroup, ReconciliationReport } from './finance-reports';
export { attachmentFeesCsv, attachmentFeesXlsx, reconciliationCsv, reconciliationGroups, reconciliationSums, reconciliationXlsx } from './finance-reports';

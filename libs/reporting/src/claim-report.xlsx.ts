import { ClaimReport } from './claim-report';
import { claimReportDocument } from './claim-report.layout';
import { reportDocumentXlsx } from './report-document.xlsx';

/**
 * The claim report as a workbook, one sheet per section: `Claim`, `Totals`, `Families`,
 * `Sign-offs`, `Declarations` (see `reportDocumentXlsx` for the formats, print set-up and why the
 * bytes never change for the same claim). A draft carries `DRAFT` in every sheet's header.
 */
export function claimReportXlsx(report: ClaimReport): Promise<Buffer> {
  return reportDocumentXlsx(claimReportDocument(report));
}

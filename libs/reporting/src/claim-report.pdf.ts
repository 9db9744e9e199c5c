import { ClaimReport } from './claim-report';
import { claimReportDocument } from './claim-report.layout';
import { reportDocumentPdf } from './report-document.pdf';

/** The claim report as an A4 PDF (see `reportDocumentPdf`); a draft is watermarked `DRAFT` on every page. */
export function claimReportPdf(report: ClaimReport): Promise<Buffer> {
  return reportDocumentPdf(claimReportDocument(report));
}

import { ClaimReport, ClaimReportFamily, ClaimRoute, ClaimSignOffRole, claimRoutes, claimTotals } from './claim-report';
import { poundsText } from './money';
import { ReportDocument, businessDateAtMidnightUtc } from './report-document';

// The layout every format of the claim report shares. The writers render this, so the CSV, XLSX
// and PDF cannot disagree on a label, an order or a figure. Internal to the library.

/** How a role is named in a report (DOMAIN.md 5.3). */
export const signOffRoleNames: Record<ClaimSignOffRole, string> = {
  'programme-lead': 'Programme lead (Troubled Families Coordinator)',
  'head-of-audit': 'Head of internal audit',
};

const signOffOrder: readonly ClaimSignOffRole[] = ['programme-lead', 'head-of-audit'];

export const draftWatermark = 'DRAFT';

export interface ClaimReportLayout {
  title: string;
  draft: boolean;
  /** Label and value, in print order. */
  claim: { label: string; value: string }[];
  /** Sorted by reference (code-unit order, independent of locale and of the caller's order); removed families at £0. */
  families: (ClaimReportFamily & { amount: string })[];
  totals: { label: string; route?: ClaimRoute; families: number; amountPence: number; amount: string }[];
  signOffs: { role: ClaimSignOffRole; roleName: string; by: string; on: string }[];
  declarations: { role: ClaimSignOffRole; heading: string; text: string }[];
  /** `generatedFor` at 00:00Z: the only timestamp written into a document. */
  documentDate: Date;
  /** Document metadata author and creator. */
  author: string;
}

const removed = 'sampled: invalid (removed)';

export function claimReportLayout(report: ClaimReport): ClaimReportLayout {
  const documentDate = businessDateAtMidnightUtc(report.generatedFor);
  const families = [...report.families]
    .map((f) => ({ reference: f.reference, route: f.route, amountPence: f.amountPence, auditStatus: f.auditStatus }))
    .sort((a, b) => compareCodeUnits(a.reference, b.reference));
  for (let i = 1; i < families.length; i += 1) {
    const [previous, family] = [families[i - 1], families[i]];
    if (previous && family && family.reference === previous.reference) {
      throw new RangeError(`family ${family.reference} appears twice in claim ${report.claimId}`);
    }
  }
  const totals = claimTotals(report);
  const planVersions = [...new Set(report.planVersions)].sort((a, b) => a - b);
  const money = (amountPence: number) => ({ amountPence, amount: poundsText(amountPence) });
  const draft = report.submittedOn === undefined;
  const window = report.windowId ? `${report.windowId}${report.window ? ` (${report.window.opensOn} to ${report.window.closesOn})` : ''}` : 'none';
  const signOffs = [...report.signOffs]
    .map((s) => ({ role: s.role, roleName: signOffRoleNames[s.role] ?? s.role, by: s.by, on: s.on ?? '' }))
    .sort((a, b) => signOffOrder.indexOf(a.role) - signOffOrder.indexOf(b.role) || compareCodeUnits(a.by, b.by));

  return {
    title: `Results claim: ${report.councilName}, claim window ${report.windowId ?? '(none)'}, as of ${report.asOf}`,
    draft,
    claim: [
      { label: 'Council', value: report.councilName },
      { label: 'Claim window', value: window },
      { label: 'As of', value: report.asOf },
      { label: 'Submitted on', value: report.submittedOn ?? 'not submitted' },
      { label: 'Status', value: draft ? `${draftWatermark}: not submitted (${report.status})` : report.status },
      { label: 'Framework', value: report.frameworkVersion !== undefined ? `${report.frameworkId} (version ${report.frameworkVersion})` : report.frameworkId },
      { label: 'Outcome Plan versions', value: planVersions.join(', ') },
      { label: 'Claim reference', value: report.claimId },
    ],
    // DOMAIN.md 5.2: a family internal audit found invalid leaves the claim; it is listed as removed, at £0.
    families: families.map((f) => {
      const amountPence = f.auditStatus === removed ? 0 : f.amountPence;
      return { ...f, amountPence, amount: poundsText(amountPence) };
    }),
    totals: [
      ...claimRoutes.map((route) => ({ label: route, route, families: totals.byRoute[route].families, ...money(totals.byRoute[route].amountPence) })),
      { label: 'Removed by internal audit', families: totals.removedFamilies, ...money(0) },
      { label: 'Total claimed', families: totals.families, ...money(totals.totalPence) },
    ],
    signOffs,
    declarations: signOffOrder.flatMap((role) => {
      const text = report.declarations?.find((d) => d.role === role)?.text;
      if (text === undefined) return [];
      const signed = signOffs.find((s) => s.role === role);
      const by = signed ? `signed by ${signed.by}${signed.on ? ` on ${signed.on}` : ''}` : 'not signed';
      return [{ role, heading: `Declaration of the ${signOffRoleNames[role].replace(/^./, (c) => c.toLowerCase())}: ${by}`, text }];
    }),
    documentDate,
    author: `${report.councilName} (family outcomes ledger)`,
  };
}

/** The claim report as sections for the XLSX and PDF writers: one sheet per section. */
export function claimReportDocument(report: ClaimReport): ReportDocument {
  const layout = claimReportLayout(report);
  return {
    title: layout.title,
    subject: 'Payment-by-results claim report',
    author: layout.author,
    documentDate: layout.documentDate,
    ...(layout.draft ? { watermark: draftWatermark } : {}),
    sections: [
      { kind: 'details', name: 'Claim', title: 'The claim', items: layout.claim },
      {
        kind: 'table',
        name: 'Totals',
        title: 'Counts and amounts per route (families removed by internal audit at £0)',
        columns: [
          { label: 'Route', kind: 'text', width: 30 },
          { label: 'Families', kind: 'count', width: 12 },
          { label: 'Amount', kind: 'money', width: 16 },
        ],
        rows: layout.totals.filter((t) => t.route !== undefined || t.label !== 'Total claimed').map((t) => [t.label, t.families, t.amountPence]),
        totals: layout.totals.filter((t) => t.label === 'Total claimed').map((t) => [t.label, t.families, t.amountPence]),
      },
      {
        kind: 'table',
        name: 'Families',
        title: 'Families',
        columns: [
          { label: 'Reference', kind: 'text', width: 18 },
          { label: 'Route', kind: 'text', width: 24 },
          { label: 'Audit status', kind: 'text', width: 30 },
          { label: 'Amount', kind: 'money', width: 14 },
        ],
        rows: layout.families.map((f) => [f.reference, f.route, f.auditStatus, f.amountPence]),
        totals: [],
      },
      {
        kind: 'table',
        name: 'Sign-offs',
        title: 'Sign-offs',
        columns: [
          { label: 'Role', kind: 'text', width: 40 },
          { label: 'Name', kind: 'text', width: 24 },
          { label: 'Signed on', kind: 'date', width: 14 },
        ],
        rows: layout.signOffs.map((s) => [s.roleName, s.by, s.on]),
        totals: [],
      },
      { kind: 'text', name: 'Declarations', title: 'Declarations', paragraphs: layout.declarations.map((d) => ({ heading: d.heading, text: d.text })) },
    ],
  };
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

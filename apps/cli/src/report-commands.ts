import { writeFileSync } from 'node:fs';
import type { LedgerConfig } from '@ledger/config';
import { isBusinessDate } from '@ledger/domain';
import type { INestApplicationContext } from '@nestjs/common';
import {
  attachmentFeesCsv,
  attachmentFeesXlsx,
  claimPositionCsv,
  claimPositionPdf,
  claimPositionXlsx,
  claimReportCsv,
  claimReportPdf,
  claimReportXlsx,
  reconciliationCsv,
  reconciliationXlsx,
} from '@ledger/reporting';
import { ClaimReports, FinanceReports, londonToday } from '@ledger/application';

export const REPORT_USAGE = `  report claim <claimId> --format csv|xlsx|pdf --out FILE
                         the claim report (as submitted, frozen), byte-identical to the api's
  report position <claimId> --format csv|xlsx|pdf --out FILE
                         the claim's position after submission: payments and recoveries
  report reconciliation|attachment-fees [--as-of DATE] --format csv|xlsx --out FILE
                         the finance reports as of DATE (default today), with totals rows
                         While the service holds the embedded store (or with --via-api), reports
                         are read through it at LEDGER_API_URL with LEDGER_API_TOKEN.`;

type Kind = 'claim' | 'position' | 'reconciliation' | 'attachment-fees';
interface ReportRequest {
  kind: Kind;
  claimId?: string;
  asOf?: string;
  format: 'csv' | 'xlsx' | 'pdf';
  out: string;
  viaApi: boolean;
}

/**
 * `report …`: from the store when the cli can open it (`open`: the stores and the cli's application
 * context over them), else through the running service.
 */
export async function runReport(config: LedgerConfig, args: string[], open: () => Promise<INestApplicationContext>): Promise<number> {
  const request = parse(args);
  if (typeof request === 'string') {
    console.error(`${request}\nusage:\n${REPORT_USAGE}`);
    return 2;
  }
  if (!request.viaApi) {
    let context: INestApplicationContext | null = null;
    try {
      context = await open();
    } catch (error) {
      // The embedded store admits one process (its lock file): the running service has it, so the
      // report is read through the service instead of refusing (issue 18.6).
      if (!(error instanceof Error && error.name === 'DataDirectoryLockedError')) throw error;
      console.error(`the embedded store is open in the running service; reading the report through it at ${config.apiUrl}`);
    }
    if (context) {
      try {
        return write(request, await fromStore(context, request));
      } finally {
        await context.close();
      }
    }
  }
  if (!config.apiToken) {
    console.error('LEDGER_API_TOKEN is not set: reading a report through the running service needs a bearer token of a user allowed to read it (e.g. a finance officer)');
    return 1;
  }
  return write(request, await fromApi(config, request));
}

function parse(args: string[]): ReportRequest | string {
  const [kind, ...rest] = args;
  const option = (name: string): string | undefined => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  if (kind !== 'claim' && kind !== 'position' && kind !== 'reconciliation' && kind !== 'attachment-fees') return `unknown report "${kind ?? ''}"`;
  const perClaim = kind === 'claim' || kind === 'position';
  const claimId = perClaim ? rest[0] : undefined;
  if (perClaim && (!claimId || claimId.startsWith('--'))) return `report ${kind} needs a claim id`;
  const format = option('format');
  const formats = perClaim ? ['csv', 'xlsx', 'pdf'] : ['csv', 'xlsx'];
  if (!format || !formats.includes(format)) return `--format must be one of ${formats.join(', ')}`;
  const out = option('out');
  if (!out) return '--out FILE is required';
  const asOf = option('as-of');
  if (asOf !== undefined && (perClaim || !isBusinessDate(asOf))) return perClaim ? '--as-of applies to the finance reports only' : '--as-of must be a calendar date YYYY-MM-DD';
  return { kind, ...(claimId ? { claimId } : {}), ...(asOf ? { asOf } : {}), format: format as ReportRequest['format'], out, viaApi: rest.includes('--via-api') };
}

async function fromStore(context: INestApplicationContext, request: ReportRequest): Promise<Buffer> {
  const asOf = request.asOf ?? londonToday(new Date());
  const claims = context.get(ClaimReports);
  // From the claims read model, brought up to the log before it is read (no projector need be running).
  const finance = context.get(FinanceReports);
  const claimId = request.claimId ?? '';
  const unwrap = (error: unknown): never => {
    throw new Error(error instanceof Error ? error.message : String(error));
  };
  switch (request.kind) {
    case 'claim': {
      const report = await claims.build(claimId).catch(unwrap);
      return request.format === 'csv' ? claimReportCsv(report) : request.format === 'xlsx' ? claimReportXlsx(report) : claimReportPdf(report);
    }
    case 'position': {
      const report = await claims.position(claimId).catch(unwrap);
      return request.format === 'csv' ? claimPositionCsv(report) : request.format === 'xlsx' ? claimPositionXlsx(report) : claimPositionPdf(report);
    }
    case 'reconciliation': {
      const report = await finance.reconciliation(asOf);
      return request.format === 'csv' ? reconciliationCsv(report) : reconciliationXlsx(report);
    }
    case 'attachment-fees': {
      const report = await finance.attachmentFees(asOf);
      return request.format === 'csv' ? attachmentFeesCsv(report) : attachmentFeesXlsx(report);
    }
  }
}

async function fromApi(config: LedgerConfig, request: ReportRequest): Promise<Buffer> {
  const path =
    request.kind === 'claim'
      ? `/api/claims/${encodeURIComponent(request.claimId ?? '')}/report.${request.format}`
      : request.kind === 'position'
        ? `/api/claims/${encodeURIComponent(request.claimId ?? '')}/position.${request.format}`
        : `/api/reports/${request.kind}.${request.format}${request.asOf ? `?asOf=${request.asOf}` : ''}`;
  const url = new URL(path, config.apiUrl);
  const res = await fetch(url, { headers: { Authorization: `Bearer ${config.apiToken}` } }).catch((error: unknown) => {
    throw new Error(`could not reach the service at ${url.origin}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`);
  });
  const body = Buffer.from(await res.arrayBuffer());
  if (!res.ok) {
    let message = body.toString('utf8').slice(0, 500);
    try {
      message = String((JSON.parse(message) as { message?: unknown }).message ?? message);
    } catch {
      // not JSON: print the text as it came
    }
    throw new Error(`the service answered ${res.status} for ${url.pathname}: ${message}`);
  }
  return body;
}

function write(request: ReportRequest, bytes: Buffer): number {
  writeFileSync(request.out, bytes);
  const what = request.claimId ? `${request.kind} report of claim ${request.claimId}` : `${request.kind} report${request.asOf ? ` as of ${request.asOf}` : ''}`;
  console.log(`wrote the ${request.format} ${what} to ${request.out} (${bytes.length} bytes)`);
  return 0;
}

import { readFileSync } from 'node:fs';
import type { LedgerConfig } from '@ledger/config';
import { DEFAULT_MATCH_OPTIONS, IMPORT_SOURCES, ImportFileRefused, type ImportReport, ImportService, isImportSource } from '@ledger/imports';
import { LEGAL_GATEWAY_CODES, isLegalGatewayCode, londonToday, systemClock } from '@ledger/application';

export const IMPORT_USAGE = `  import <source> <file> [--threshold T] [--legal-basis CODE]
                         import a partner's CSV file (docs/imports.md); sources: ${IMPORT_SOURCES.join(', ')};
                         --threshold: matching confidence taken without review (default LEDGER_IMPORT_MATCH_THRESHOLD, ${DEFAULT_MATCH_OPTIONS.threshold});
                         --legal-basis: record rows about people who withdrew sharing consent,
                         under a legal gateway code: ${LEGAL_GATEWAY_CODES.join(', ')}`;

/**
 * `cli import <source> <file>` (issue 21.6): the same import as `POST /api/imports/:source`,
 * through the store that seals personal fields, with a progress bar (rows/s, ETA) on standard
 * error and the report's summary on standard output. Exit 0 when imported (or imported before),
 * 1 when the file is refused as a whole, 2 for a wrong command line.
 */
export async function runImport(config: LedgerConfig, imports: ImportService, args: string[]): Promise<number> {
  const [source, file, ...rest] = args;
  if (!source || !file || !isImportSource(source)) {
    console.error(`usage: npm run cli -- import <source> <file>\n  sources: ${IMPORT_SOURCES.join(', ')}`);
    return 2;
  }
  let threshold = config.importMatchThreshold;
  let legalBasis: string | undefined;
  for (let i = 0; i < rest.length; i += 2) {
    if (rest[i] === '--threshold' && rest[i + 1] !== undefined && Number(rest[i + 1]) > 0 && Number(rest[i + 1]) <= 1) threshold = Number(rest[i + 1]);
    else if (rest[i] === '--legal-basis' && isLegalGatewayCode(rest[i + 1]?.trim() ?? '')) legalBasis = rest[i + 1]?.trim();
    else {
      console.error(`unknown or bad option "${rest[i]}": --threshold takes a number in (0, 1], --legal-basis a legal gateway code from the register: ${LEGAL_GATEWAY_CODES.join(', ')}`);
      return 2;
    }
  }
  const bytes = readFileSync(file);
  const started = process.hrtime.bigint();
  const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
  let lastDraw = -1;
  const draw = (done: number, total: number): void => {
    const elapsed = seconds();
    if (done < total && elapsed - lastDraw < 0.2) return;
    lastDraw = elapsed;
    // The import reads each row twice (matching, then deciding): progress counts both passes.
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const rowsPerSecond = elapsed > 0 ? done / 2 / elapsed : 0;
    const eta = rowsPerSecond > 0 ? ` ETA ${Math.max(0, (total - done) / 2 / rowsPerSecond).toFixed(0)}s` : '';
    process.stderr.write(
      `\rimport ${source} [${'#'.repeat(Math.round(share * 30)).padEnd(30, '.')}] ${(share * 100).toFixed(0).padStart(3)}% ${Math.round(rowsPerSecond).toLocaleString('en-GB')} rows/s${eta}   `,
    );
  };
  const now = systemClock.now();
  try {
    const outcome = await imports.run({
      source,
      bytes,
      actor: { userId: 'cli', role: 'programme-manager' },
      recordedAt: now.toISOString(),
      recordedOn: londonToday(now),
      matching: { ...DEFAULT_MATCH_OPTIONS, threshold },
      ...(legalBasis ? { legalBasis } : {}),
      onProgress: draw,
    });
    process.stderr.write('\n');
    const elapsed = seconds();
    if (outcome.kind === 'already-imported') console.log(`this file was imported before (import ${outcome.report.importId}): nothing recorded`);
    printSummary(outcome.report, elapsed);
    return 0;
  } catch (error) {
    process.stderr.write('\n');
    if (error instanceof ImportFileRefused) {
      console.error(`refused: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

function printSummary(report: ImportReport, elapsed: number): void {
  console.log(`import ${report.importId} (${report.source}): ${report.rows} rows in ${elapsed.toFixed(2)} s (${Math.round(report.rows / Math.max(elapsed, 1e-9))} rows/s)`);
  console.log(`recorded ${report.recorded}, corrected ${report.corrected}, already recorded ${report.alreadyRecorded}`);
  console.log(`matched: identifier ${report.matched.identifier}, deterministic ${report.matched.deterministic}, probabilistic ${report.matched.probabilistic}`);
  console.log(`queued for review ${report.queuedForReview}, held ${report.held}, unmatched ${report.unmatched}, rejected ${report.rejected}`);
  for (const line of report.lines) console.log(`line ${line.line}: ${line.outcome}${line.reason ? ` ${line.reason}` : ''}${line.message ? `: ${line.message}` : ''}`);
}

import { Inject, Injectable } from '@nestjs/common';
import type { LedgerConfig } from '@ledger/config';
import { isBusinessDate } from '@ledger/domain';
import { LEDGER_CONFIG } from '@ledger/event-store';
import { PROJECTION_RUNNER, type ProjectionRunner } from '@ledger/projections';
import { ApiError, type FieldProblem, CLOCK, type Clock, londonToday } from '@ledger/application';

/** What every read needs: validated as-of / known-at dates and, inline, read-your-writes. */
@Injectable()
export class QueryContext {
  constructor(
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Validates asOf / knownAt (each a calendar date); asOf defaults to today in England. */
  dates(asOfRaw: string | undefined, knownAt: string | undefined): string {
    const problems: FieldProblem[] = [];
    if (asOfRaw !== undefined && !isBusinessDate(asOfRaw)) problems.push({ field: 'asOf', message: 'must be a calendar date YYYY-MM-DD' });
    if (knownAt !== undefined && !isBusinessDate(knownAt)) problems.push({ field: 'knownAt', message: 'must be a calendar date YYYY-MM-DD' });
    if (problems.length > 0) throw ApiError.badRequest(`invalid query: ${problems.map((p) => p.field).join(', ')}`, problems);
    return asOfRaw ?? londonToday(this.clock.now());
  }

  /** In inline mode, apply what is already in the log first, so a client reads its own writes. */
  async settle(): Promise<void> {
    if (this.config.projections === 'inline') await this.runner.settle();
  }
}

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { LedgerConfig } from '@ledger/config';
import { formatPosition, LEDGER_CONFIG } from '@ledger/event-store';
import { PROJECTION_RUNNER, type ProjectionRunner, ReportingResults } from '@ledger/projections';
import { CLOCK, type Clock, londonToday } from '@ledger/application';

/**
 * Keeps the BI feed's `reporting.results` (results per family and month end) current: every
 * `LEDGER_REPORTING_REFRESH_SECONDS`, when the projections have moved or the day has changed since
 * the last refresh. Several api instances may refresh; each swap is atomic.
 */
@Injectable()
export class ReportingRefresher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reporting');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private lastKey: string | null = null;

  constructor(
    private readonly results: ReportingResults,
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.reportingRefreshSeconds;
    if (seconds === 0) return;
    this.timer = setInterval(() => void this.refreshIfMoved(), seconds * 1_000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Refreshes now (tests, and the timer when something moved); resolves with the rows written. */
  async refresh(): Promise<{ rows: number }> {
    const run = (this.running ?? Promise.resolve()).then(() => this.results.refresh(londonToday(this.clock.now())));
    this.running = run.catch(() => undefined);
    return run;
  }

  private async refreshIfMoved(): Promise<void> {
    try {
      const checkpoints = await this.runner.checkpoints();
      const key = `${londonToday(this.clock.now())} ${checkpoints.map((c) => `${c.name}:${c.position ? formatPosition(c.position) : '-'}`).join(',')}`;
      if (key === this.lastKey) return;
      // A rebuild in another process drops the views with the old tables: make them again first.
      await this.runner.refreshReportingViews();
      const { rows } = await this.refresh();
      this.lastKey = key;
      this.logger.log(`reporting results refreshed: ${rows} family month ends`);
    } catch (error) {
      this.logger.warn(`reporting results not refreshed: ${error instanceof Error ? error.name : 'error'}`);
    }
  }
}

import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { LedgerConfig } from '@ledger/config';
import { type EventStore, EventStoreModule, type OpenedStores, RAW_EVENT_STORE, SQL_CLIENT } from '@ledger/event-store';
import { ledgerProjectionRunner } from './ledger-projections';
import { LedgerQueries } from './ledger.queries';
import { type FactOpener, FamilyQueries } from './family.queries';
import { OutcomeQueries } from './outcomes.queries';
import { ResultIntervalsReadModel } from './result-intervals.read-model';
import { DashboardQueries } from './dashboard.queries';
import { ClaimQueries } from './claims.queries';
import { UserQueries } from './users.queries';
import { ProjectionRunner, type RunnerOptions } from './projection-runner';
import type { SqlClient } from '@ledger/sql';

export const PROJECTION_RUNNER = Symbol('PROJECTION_RUNNER');

@Injectable()
class InlineProjections implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projections');
  constructor(
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject('PROJECTIONS_INLINE') private readonly inline: boolean,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.prepare();
    if (!this.inline) return;
    this.runner.start().catch((error: unknown) => this.logger.error(`projections stopped: ${error instanceof Error ? error.message : String(error)}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}

/**
 * Keeps the result intervals (issue 22.4) computed in the background while projections run in
 * this process, so a read finds few families due: every second, when any are.
 */
@Injectable()
class ResultIntervalsRefresher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Results');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly intervals: ResultIntervalsReadModel,
    @Inject('PROJECTIONS_INLINE') private readonly inline: boolean,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.inline) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.intervals
        .refreshIfDue()
        .catch((error: unknown) => this.logger.warn(`result intervals not computed: ${messageOf(error)}`))
        .finally(() => (this.running = null));
    }, 1_000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}

@Global()
@Module({})
export class ProjectionsModule {
  /**
   * The runner over the app's stores; `inline` also runs it in this process (embedded mode, tests).
   * The one way every process (api, projector) builds its runner: `runner` adds options (the
   * projector's batch size and progress lines) to the same factory.
   */
  static forApp(options: {
    inline: boolean;
    councilId: string;
    readModelSchema?: string;
    opener?: FactOpener;
    runner?: Omit<RunnerOptions, 'schema' | 'onRetry'>;
    /** Reads of the claims and users read models first apply what is in the log (default: when inline). */
    settleReads?: boolean;
  }): DynamicModule {
    const settle = options.settleReads ?? options.inline;
    return {
      module: ProjectionsModule,
      providers: [
        {
          provide: PROJECTION_RUNNER,
          inject: [RAW_EVENT_STORE, SQL_CLIENT],
          useFactory: (eventStore: EventStore, sql: SqlClient) => {
            const logger = new Logger('Projections');
            return ledgerProjectionRunner(
              { eventStore, sql, readModelSchema: options.readModelSchema },
              { ...options.runner, onRetry: (error, ms) => logger.warn(`following the log failed (${messageOf(error)}); trying again in ${ms} ms`) },
            );
          },
        },
        { provide: 'PROJECTIONS_INLINE', useValue: options.inline },
        { provide: FamilyQueries, inject: [SQL_CLIENT, PROJECTION_RUNNER], useFactory: (sql: SqlClient, runner: ProjectionRunner) => new FamilyQueries(sql, runner, options.opener) },
        { provide: LedgerQueries, inject: [SQL_CLIENT, PROJECTION_RUNNER], useFactory: (sql: SqlClient, runner: ProjectionRunner) => new LedgerQueries(sql, runner) },
        {
          provide: ResultIntervalsReadModel,
          inject: [SQL_CLIENT, PROJECTION_RUNNER, FamilyQueries],
          useFactory: (sql: SqlClient, runner: ProjectionRunner, families: FamilyQueries) => new ResultIntervalsReadModel(sql, runner, families, options.councilId),
        },
        {
          provide: OutcomeQueries,
          inject: [FamilyQueries, ResultIntervalsReadModel],
          useFactory: (families: FamilyQueries, intervals: ResultIntervalsReadModel) => new OutcomeQueries(families, options.councilId, intervals),
        },
        {
          provide: DashboardQueries,
          inject: [SQL_CLIENT, PROJECTION_RUNNER, FamilyQueries, OutcomeQueries, ResultIntervalsReadModel],
          useFactory: (sql: SqlClient, runner: ProjectionRunner, families: FamilyQueries, outcomes: OutcomeQueries, intervals: ResultIntervalsReadModel) =>
            new DashboardQueries(sql, runner, families, outcomes, options.councilId, intervals),
        },
        // Inline, their reads first apply what is in the log (read-your-writes); with an external projector they lag it.
        { provide: ClaimQueries, inject: [SQL_CLIENT, PROJECTION_RUNNER], useFactory: (sql: SqlClient, runner: ProjectionRunner) => new ClaimQueries(sql, runner, { settle }) },
        { provide: UserQueries, inject: [SQL_CLIENT, PROJECTION_RUNNER], useFactory: (sql: SqlClient, runner: ProjectionRunner) => new UserQueries(sql, runner, { settle }) },
        InlineProjections,
        ResultIntervalsRefresher,
      ],
      exports: [PROJECTION_RUNNER, FamilyQueries, OutcomeQueries, ResultIntervalsReadModel, LedgerQueries, DashboardQueries, ClaimQueries, UserQueries],
    };
  }
}

/**
 * The stores and the projections without HTTP: the projector and the cli build their Nest
 * application context from it (`NestFactory.createApplicationContext`), out of the same two
 * modules the api imports, so there is one way to wire the stores and one factory of the runner
 * (with the api's read-model schema). The runner is prepared at bootstrap, never started: the
 * process starts or rebuilds it itself (`PROJECTION_RUNNER`).
 */
@Module({})
export class ProjectionWorkerModule {
  static forStores(
    config: LedgerConfig,
    stores: OpenedStores,
    runner: Omit<RunnerOptions, 'schema' | 'onRetry'> = {},
    /** `sealing`: the store that seals personal fields, as EVENT_STORE (the cli's import and retention); `settleReads`: see `forApp`. */
    options: { sealing?: EventStore; settleReads?: boolean } = {},
  ): DynamicModule {
    return {
      module: ProjectionWorkerModule,
      imports: [
        EventStoreModule.forStores(config, stores, options.sealing),
        ProjectionsModule.forApp({ inline: false, councilId: config.councilId, readModelSchema: stores.readModelSchema, runner, settleReads: options.settleReads }),
      ],
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

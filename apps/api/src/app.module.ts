import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { LedgerConfig } from '@ledger/config';
import { EVENT_STORE, RAW_EVENT_STORE, type EventStore, EventStoreModule, type OpenedStores, SQL_CLIENT, type SqlClient, StreamStateCache } from '@ledger/event-store';
import { OutcomeQueries, ProjectionsModule, ReportingResults } from '@ledger/projections';
import { AccessGuard, FamilyAccess } from './auth/access';
import { ActorMiddleware } from './auth/actor.middleware';
import { AuthController } from './auth/auth.controller';
import { AccessLog, AuthService, COUNCIL_ID, ClaimCommandHandler, ClaimReports, FinanceReports, OutcomePlanCommandHandler, ProgrammeCommandHandler, CLOCK, type Clock, systemClock } from '@ledger/application';
import { jwtSecretFor } from './auth/jwt-secret';
import { RefreshTokens, SessionController } from './auth/session.controller';
import { ProgrammeDashboardController } from './dashboards/programme-dashboard.controller';
import { ClaimsController } from './claims/claims.controller';
import { FinanceReportsController } from './claims/finance-reports.controller';
import { LedgerController } from './claims/ledger.controller';
import { SpotCheckCommandHandler, SpotChecksController } from './claims/spot-checks.controller';
import { KnownQueryInterceptor } from './http/known-query.interceptor';
import { DemoSeeder } from './demo/demo-seeder';
import { ServiceAccountsController } from './auth/service-accounts.controller';
import { SIGN_IN_ATTEMPTS, SignInAttemptsGuard, SignInThrottle } from './auth/sign-in-throttle';
import { ThrottlerModule } from '@nestjs/throttler';
import { FamiliesController } from './families/families.controller';
import { FAMILY_STATES, FamilyCommandHandler } from './families/family-commands';
import { FamilyQueriesController, ResultsController } from './families/family-queries.controller';
import { QueryContext } from './families/query-context';
import { WorkListsController } from './families/work-lists.controller';
import { HealthController } from './health/health.controller';
import { LiveCheckpoints } from './live/live-checkpoints';
import { LiveController } from './live/live.controller';
import { loggingModule, type LoggingOptions } from './observability/logging';
import { CommandMetrics, HttpMetricsMiddleware, Metrics } from './observability/metrics';
import { MetricsController } from './observability/metrics.controller';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { RecordingFactory } from './http/recording';
import { ApiValidationPipe } from './http/validation';
import { PrivacyController } from './privacy/privacy.controller';
import { RetentionController } from './privacy/retention.controller';
import { OnsTransfersController } from './privacy/ons-transfers';
import { DataSubjectRequestsController } from './privacy/data-subject-requests.controller';
import { PrivacyNoticeController } from './privacy/privacy-notice.controller';
import { PartnersController } from './privacy/partners';
import { PartnerAgreements } from './privacy/partner-agreements';
import { ReportingRefresher } from './reporting/reporting-refresher';
import { ProgrammeController } from './programme/programme.controller';
import { ImportService } from '@ledger/imports';
import { ImportsController } from './imports/imports.controller';
import { BlindIndex, KeyVault, type PersonalDataCipher, type PersonalDataParts } from '@ledger/privacy';

export interface AppOptions {
  clock?: Clock;
  /** The JSON request logs (nestjs-pino); default: `config.logLevel` to standard output. */
  log?: Partial<LoggingOptions>;
}

@Module({})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware, ActorMiddleware).forRoutes({ path: '*splat', method: RequestMethod.ALL });
  }

  static forRoot(config: LedgerConfig, stores: OpenedStores, privacy: PersonalDataParts, options: AppOptions = {}): DynamicModule {
    const jwtSecret = jwtSecretFor(config);
    const jwtKey = createSecretKey(Buffer.from(jwtSecret, 'utf8'));
    return {
      module: AppModule,
      imports: [
        EventStoreModule.forStores(config, stores, privacy.sealing),
        CqrsModule.forRoot(),
        loggingModule({ level: options.log?.level ?? config.logLevel, destination: options.log?.destination }),
        // The secret as a KeyObject: given a string, jsonwebtoken first tries (and fails) to parse it
        // as a public or private key on every sign and verify, a cost paid by every command.
        // Sign-in attempts per client address (issue 16.2); the guard is on the sign-in routes only.
        ThrottlerModule.forRoot({ throttlers: [{ name: SIGN_IN_ATTEMPTS, ttl: 60_000, limit: config.signInAttemptsPerMinute }] }),
        JwtModule.register({ secretOrKeyProvider: () => jwtKey, signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } }),
        ProjectionsModule.forApp({
          inline: config.projections === 'inline',
          councilId: config.councilId,
          readModelSchema: stores.readModelSchema,
          opener: (events) => privacy.cipher.open(events as Parameters<PersonalDataCipher['open']>[0]),
        }),
      ],
      controllers: [HealthController, AuthController, ServiceAccountsController, ClaimsController, SpotChecksController, LedgerController, FinanceReportsController, ProgrammeController, FamiliesController, FamilyQueriesController, ResultsController, PrivacyController, RetentionController, OnsTransfersController, DataSubjectRequestsController, PrivacyNoticeController, PartnersController, SessionController, ProgrammeDashboardController, LiveController, MetricsController, WorkListsController, ImportsController],
      providers: [
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: COUNCIL_ID, useValue: config.councilId },
        { provide: FAMILY_STATES, useFactory: () => new StreamStateCache() },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useClass: ApiValidationPipe },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: KnownQueryInterceptor },
        { provide: KeyVault, useValue: privacy.vault },
        { provide: BlindIndex, useValue: privacy.search },
        FamilyAccess,
        PartnerAgreements,
        AccessLog,
        RecordingFactory,
        QueryContext,
        FamilyCommandHandler,
        ProgrammeCommandHandler,
        OutcomePlanCommandHandler,
        DemoSeeder,
        ClaimCommandHandler,
        SpotCheckCommandHandler,
        ClaimReports,
        FinanceReports,
        AuthService,
        SignInThrottle,
        SignInAttemptsGuard,
        ActorMiddleware,
        LiveCheckpoints,
        Metrics,
        CommandMetrics,
        HttpMetricsMiddleware,
        {
          provide: ReportingResults,
          inject: [SQL_CLIENT, OutcomeQueries],
          useFactory: (sql: SqlClient, outcomes: OutcomeQueries) => new ReportingResults(sql, outcomes, stores.readModelSchema ?? 'read'),
        },
        ReportingRefresher,
        // Issue 21: partner files, through the store that seals personal fields.
        { provide: ImportService, inject: [EVENT_STORE, RAW_EVENT_STORE], useFactory: (store: EventStore, raw: EventStore) => new ImportService(store, raw) },
        { provide: RefreshTokens, useValue: new RefreshTokens(jwtSecret) },
      ],
    };
  }
}

import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { LedgerConfig } from '@ledger/config';
import { EventStoreModule, type OpenedStores } from '@ledger/event-store';
import { ProjectionsModule } from '@ledger/projections';
import type { Clock } from '@ledger/application';
import type { PersonalDataCipher, PersonalDataParts } from '@ledger/privacy';
import { AccessGuard } from './auth/access';
import { ActorMiddleware } from './auth/actor.middleware';
import { AuthModule } from './auth/auth.module';
import { ClaimsModule } from './claims/claims.module';
import { DashboardsModule } from './dashboards/dashboards.module';
import { DemoSeeder } from './demo/demo-seeder';
import { FamiliesModule } from './families/families.module';
import { HealthModule } from './health/health.module';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { KnownQueryInterceptor } from './http/known-query.interceptor';
import { ApiValidationPipe } from './http/validation';
import { ImportsModule } from './imports/imports.module';
import { LiveModule } from './live/live.module';
import { loggingModule, type LoggingOptions } from './observability/logging';
import { HttpMetricsMiddleware } from './observability/metrics';
import { PrivacyModule } from './privacy/privacy.module';
import { ProgrammeModule } from './programme/programme.module';
import { SharedModule } from './shared.module';

export interface AppOptions {
  clock?: Clock;
  /** The JSON request logs (nestjs-pino); default: `config.logLevel` to standard output. */
  log?: Partial<LoggingOptions>;
}

/**
 * The api: the stores and projections (the same modules the cli and the projector build from),
 * the shared providers, one module per feature, and what applies to every route: request metrics
 * and the actor (middleware), the access guard, the validation pipe, the check of query
 * parameters, and the error filter.
 */
@Module({})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware, ActorMiddleware).forRoutes({ path: '*splat', method: RequestMethod.ALL });
  }

  static forRoot(config: LedgerConfig, stores: OpenedStores, privacy: PersonalDataParts, options: AppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        EventStoreModule.forStores(config, stores, privacy.sealing),
        CqrsModule.forRoot(),
        loggingModule({ level: options.log?.level ?? config.logLevel, destination: options.log?.destination }),
        ProjectionsModule.forApp({
          inline: config.projections === 'inline',
          councilId: config.councilId,
          readModelSchema: stores.readModelSchema,
          opener: (events) => privacy.cipher.open(events as Parameters<PersonalDataCipher['open']>[0]),
        }),
        SharedModule.forRoot(config, stores, privacy, { clock: options.clock }),
        HealthModule,
        AuthModule.forRoot(config),
        ClaimsModule,
        ProgrammeModule,
        FamiliesModule,
        PrivacyModule,
        DashboardsModule,
        LiveModule,
        ImportsModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useClass: ApiValidationPipe },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: KnownQueryInterceptor },
        DemoSeeder,
      ],
    };
  }
}

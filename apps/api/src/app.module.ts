import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { LedgerConfig } from '@ledger/config';
import { EventStoreModule, type OpenedStores } from '@ledger/event-store';
import { ProjectionsModule } from '@ledger/projections';
import { DemoSeeder } from './demo/demo-seeder';
import { FamiliesController } from './families/families.controller';
import { FamilyCommandHandler } from './families/family-commands';
import { FamilyQueriesController, ResultsController } from './families/family-queries.controller';
import { QueryContext } from './families/query-context';
import { HealthController } from './health/health.controller';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { CLOCK, type Clock, RecordingFactory, systemClock } from './http/recording';
import { ApiValidationPipe } from './http/validation';
import { ProgrammeController } from './programme/programme.controller';
import { COUNCIL_ID, OutcomePlanCommandHandler, ProgrammeCommandHandler } from './programme/programme-commands';

export interface AppOptions {
  clock?: Clock;
}

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig, stores: OpenedStores, options: AppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [EventStoreModule.forStores(config, stores), CqrsModule.forRoot(), ProjectionsModule.forApp({ inline: config.projections === 'inline', councilId: config.councilId, readModelSchema: stores.readModelSchema })],
      controllers: [HealthController, ProgrammeController, FamiliesController, FamilyQueriesController, ResultsController],
      providers: [
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: COUNCIL_ID, useValue: config.councilId },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useClass: ApiValidationPipe },
        RecordingFactory,
        QueryContext,
        FamilyCommandHandler,
        ProgrammeCommandHandler,
        OutcomePlanCommandHandler,
        DemoSeeder,
      ],
    };
  }
}

import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import type { LedgerConfig } from '@ledger/config';
import { type OpenedStores, StreamStateCache } from '@ledger/event-store';
import { AccessLog, CLOCK, COUNCIL_ID, type Clock, systemClock } from '@ledger/application';
import { BlindIndex, KeyVault, type PersonalDataParts } from '@ledger/privacy';
import { FamilyAccess } from './auth/access';
import { FAMILY_STATES } from './families/family-commands';
import { QueryContext } from './families/query-context';
import { RecordingFactory } from './http/recording';
import { PartnerAgreements } from './privacy/partner-agreements';

/** The schema of the read models (`read`, or `<schema>_read` beside a PostgreSQL schema of the app's own). */
export const READ_MODEL_SCHEMA = Symbol('READ_MODEL_SCHEMA');

/**
 * What the feature modules share, once per app (global): the clock, the council, the read-model
 * schema, the folded family states, the personal-data key vault and blind index, the access log,
 * the access checks the guard makes (the family's keyworker and sample, partners' agreements),
 * the recording of a request (`@Recorded()`) and the reads' context (dates, settling).
 */
@Global()
@Module({})
export class SharedModule {
  static forRoot(config: LedgerConfig, stores: OpenedStores, privacy: PersonalDataParts, options: { clock?: Clock } = {}): DynamicModule {
    const providers: Provider[] = [
      { provide: CLOCK, useValue: options.clock ?? systemClock },
      { provide: COUNCIL_ID, useValue: config.councilId },
      { provide: READ_MODEL_SCHEMA, useValue: stores.readModelSchema ?? 'read' },
      { provide: FAMILY_STATES, useFactory: () => new StreamStateCache() },
      { provide: KeyVault, useValue: privacy.vault },
      { provide: BlindIndex, useValue: privacy.search },
      FamilyAccess,
      PartnerAgreements,
      AccessLog,
      RecordingFactory,
      QueryContext,
    ];
    return {
      module: SharedModule,
      providers,
      exports: [CLOCK, COUNCIL_ID, READ_MODEL_SCHEMA, FAMILY_STATES, KeyVault, BlindIndex, FamilyAccess, PartnerAgreements, AccessLog, RecordingFactory, QueryContext],
    };
  }
}

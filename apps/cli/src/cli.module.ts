import { type DynamicModule, Module } from '@nestjs/common';
import type { LedgerConfig } from '@ledger/config';
import { EVENT_STORE, type EventStore, type OpenedStores, RAW_EVENT_STORE } from '@ledger/event-store';
import { ProjectionWorkerModule } from '@ledger/projections';
import { ClaimReports, COUNCIL_ID, FinanceReports } from '@ledger/application';
import { ImportService } from '@ledger/imports';
import { KeyVault, type PersonalDataParts } from '@ledger/privacy';

/**
 * What the cli's commands use, as a Nest application context without HTTP, from the modules the
 * api and the projector are built from (`ProjectionWorkerModule`: the stores and the one factory of
 * the projection runner, with the api's read-model schema): the claim and finance reports, the
 * import service, and with the personal-data parts (import, retention) the key vault and the store
 * that seals personal fields as `EVENT_STORE`. Without them `EVENT_STORE` is the store itself, as
 * the reports read it. The cli runs without a projector, so read-model reads first catch up.
 */
@Module({})
export class CliModule {
  static forStores(config: LedgerConfig, stores: OpenedStores, privacy?: PersonalDataParts): DynamicModule {
    return {
      module: CliModule,
      imports: [ProjectionWorkerModule.forStores(config, stores, { batchSize: 5_000 }, { sealing: privacy?.sealing, settleReads: true })],
      providers: [
        { provide: COUNCIL_ID, useValue: config.councilId },
        ClaimReports,
        FinanceReports,
        { provide: ImportService, inject: [EVENT_STORE, RAW_EVENT_STORE], useFactory: (store: EventStore, raw: EventStore) => new ImportService(store, raw) },
        ...(privacy ? [{ provide: KeyVault, useValue: privacy.vault }] : []),
      ],
    };
  }
}

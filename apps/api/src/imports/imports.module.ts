import { Module } from '@nestjs/common';
import { EVENT_STORE, type EventStore, RAW_EVENT_STORE } from '@ledger/event-store';
import { ImportService } from '@ledger/imports';
import { ImportsController } from './imports.controller';

/** Issue 21: partners' files, imported through the store that seals personal fields. Exports `ImportService` (erasure reaches the rows it keeps). */
@Module({
  controllers: [ImportsController],
  providers: [{ provide: ImportService, inject: [EVENT_STORE, RAW_EVENT_STORE], useFactory: (store: EventStore, raw: EventStore) => new ImportService(store, raw) }],
  exports: [ImportService],
})
export class ImportsModule {}

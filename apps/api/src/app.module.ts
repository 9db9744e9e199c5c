import { type DynamicModule, Module } from '@nestjs/common';
import type { LedgerConfig } from '@ledger/config';
import { EventStoreModule, type OpenedStores } from '@ledger/event-store';
import { HealthController } from './health/health.controller';

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig, stores: OpenedStores): DynamicModule {
    return {
      module: AppModule,
      imports: [EventStoreModule.forStores(config, stores)],
      controllers: [HealthController],
    };
  }
}

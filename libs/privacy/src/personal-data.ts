import type { LedgerConfig } from '@ledger/config';
import { familySearchableData, personalDataDeclarations } from '@ledger/domain';
import type { EventStore, OpenedStores } from '@ledger/event-store';
import { BlindIndex, blindIndexKey } from './blind-index';
import { KeyVault } from './key-vault';
import { resolveMasterKey, storeHoldsData } from './master-key';
import { PersonalDataCipher } from './personal-data-cipher';
import { PersonalDataEventStore } from './personal-data.event-store';

/** The privacy machinery opened before the app: the key vault and the store that seals through it. */
export interface PersonalDataParts {
  vault: KeyVault;
  cipher: PersonalDataCipher;
  /** Issue 20.1: the keyed blind index of names, dates of birth and postcodes. */
  search: BlindIndex;
  sealing: EventStore;
}

/**
 * The key vault (person keys wrapped by LEDGER_MASTER_KEY, or by a key file in embedded mode)
 * and the store every command and read goes through: personal fields are sealed per person
 * before they reach any store, EventStoreDB included (docs/architecture.md "Privacy"). The api
 * and the cli open them the same way, here.
 */
export async function openPersonalData(config: LedgerConfig, stores: OpenedStores): Promise<PersonalDataParts> {
  const embedded = !config.postgresUrl;
  const schema = stores.schema ?? config.postgresSchema;
  // DOMAIN.md 6 / issue 15.6: a store already in use never gets a new key file in place of a lost one.
  const storeInUse = embedded && (config.masterKey ?? '').trim() === '' ? await storeHoldsData(stores.sql, schema) : false;
  const masterKey = resolveMasterKey({ masterKey: config.masterKey, dataDir: config.dataDir, embedded, storeHoldsData: storeInUse });
  const vault = await KeyVault.open(stores.sql, { schema, masterKey });
  const cipher = new PersonalDataCipher(vault, personalDataDeclarations);
  // Issue 20.1: the blind index is keyed apart from the data keys (HKDF of the master key, its own label).
  const search = new BlindIndex(stores.sql, schema, blindIndexKey(masterKey), familySearchableData);
  const sealing = new PersonalDataEventStore(stores.eventStore, cipher, search);
  // A store recorded before the blind index existed gets its members indexed once, at start.
  await search.backfillIfEmpty(sealing);
  return { vault, cipher, search, sealing };
}

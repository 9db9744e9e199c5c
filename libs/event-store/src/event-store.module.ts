import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { resolve } from 'node:path';
import { type LedgerConfig, redactUrl } from '@ledger/config';
import { type EventStore, EventStoreUnavailableError } from './event-store.port';
import { PgSqlClient } from '@ledger/sql';
import { PgliteSqlClient } from '@ledger/sql';
import { checkEmbeddedStore } from './postgres/integrity';
import { PostgresEventStore } from './postgres/postgres.event-store';
import type { SqlClient } from '@ledger/sql';

/** Injection token of the EventStore port. */
export const EVENT_STORE = Symbol('EVENT_STORE');
/** Injection token of the SQL database beside the store (PostgreSQL or the embedded PGlite): read models live here. */
export const SQL_CLIENT = Symbol('SQL_CLIENT');
/**
 * Injection token of the event store as stored: personal fields still sealed. The projection
 * runner and access checks read this one, so read models never hold plaintext personal data.
 */
export const RAW_EVENT_STORE = Symbol('RAW_EVENT_STORE');
/** Injection token of the SQL schema holding the person keys and the access log (beside the events). */
export const PRIVACY_SCHEMA = Symbol('PRIVACY_SCHEMA');
/** Injection token of the validated configuration. */
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');

/** What the running store is, for logs and readiness answers (no secrets). */
export interface StoreDescription {
  kind: 'embedded' | 'postgres' | 'esdb';
  where: string;
}
export const STORE_DESCRIPTION = Symbol('STORE_DESCRIPTION');

export interface OpenedStores {
  eventStore: EventStore;
  sql: SqlClient;
  description: StoreDescription;
  /**
   * Schema of the read models beside this event store (default `read`). Read models and their
   * checkpoints belong to one event log: two logs must never share a read-model schema.
   */
  readModelSchema?: string;
  /** Schema of the event store on the SQL database (person keys and the access log live beside it). */
  schema?: string;
}

/**
 * Opens the configured stores: PostgreSQL when `LEDGER_POSTGRES_URL` is set, otherwise the embedded
 * PGlite under `LEDGER_DATA_DIR`; the event store is that database, or EventStoreDB when
 * `LEDGER_EVENT_STORE=esdb` (read models then stay on the SQL database).
 *
 * A PostgreSQL server that cannot be reached is tried again with a backoff (0.25 s doubling to
 * 2 s) for up to `LEDGER_STORE_WAIT_SECONDS`, with a line for each wait, so a service started
 * beside its database (or just before it comes back) waits for it instead of exiting at once.
 */
export async function openStores(config: LedgerConfig, options: { onWait?: (message: string) => void } = {}): Promise<OpenedStores> {
  const waitMs = (config.storeWaitSeconds ?? 0) * 1_000;
  const started = Date.now();
  const logger = new Logger('EventStore');
  const onWait = options.onWait ?? ((message: string) => logger.warn(message));
  for (let delay = START_RETRY_FIRST_MS; ; delay = Math.min(delay * 2, START_RETRY_MAX_MS)) {
    try {
      return await openStoresOnce(config);
    } catch (error) {
      if (!(error instanceof EventStoreUnavailableError) || !config.postgresUrl) throw error;
      const where = `PostgreSQL at ${redactUrl(config.postgresUrl)}`;
      if (Date.now() - started + delay > waitMs) {
        throw new EventStoreUnavailableError(`${where} did not answer within ${config.storeWaitSeconds ?? 0} s (LEDGER_STORE_WAIT_SECONDS): ${error.message}`, { cause: error });
      }
      onWait(`${where} does not answer (${error.message}); trying again in ${(delay / 1_000).toFixed(2)} s, for up to ${config.storeWaitSeconds} s (LEDGER_STORE_WAIT_SECONDS)`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** The first and the longest wait between attempts to reach the database at start (ms). */
const START_RETRY_FIRST_MS = 250;
const START_RETRY_MAX_MS = 2_000;

async function openStoresOnce(config: LedgerConfig): Promise<OpenedStores> {
  const sql: SqlClient = config.postgresUrl ? new PgSqlClient({ connectionString: config.postgresUrl, max: config.postgresPoolSize }) : await PgliteSqlClient.open(config.dataDir);
  try {
    if (config.eventStore === 'esdb' && config.esdbUrl) {
      // Loaded only when chosen: a PostgreSQL or embedded install never loads the gRPC client.
      const { EsdbEventStore } = await import('@ledger/event-store/esdb');
      return { eventStore: EsdbEventStore.connect(config.esdbUrl), sql, description: { kind: 'esdb', where: redactUrl(config.esdbUrl) }, schema: config.postgresSchema };
    }
    const eventStore = await PostgresEventStore.open(sql, { schema: config.postgresSchema, groupCommit: config.groupCommit });
    // A damaged embedded directory is refused here, not served as ready (issue 15.5).
    if (!config.postgresUrl) await checkEmbeddedStore(sql, config.postgresSchema, resolve(config.dataDir));
    const description: StoreDescription = config.postgresUrl ? { kind: 'postgres', where: redactUrl(config.postgresUrl) } : { kind: 'embedded', where: config.dataDir };
    return { eventStore, sql, description, readModelSchema: config.postgresSchema === 'ledger' ? 'read' : `${config.postgresSchema}_read`, schema: config.postgresSchema };
  } catch (error) {
    await sql.close().catch(() => undefined);
    throw error;
  }
}

@Injectable()
class StoreLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('EventStore');
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(SQL_CLIENT) private readonly sql: SqlClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.eventStore.close().catch((error: unknown) => this.logger.warn(`closing the event store: ${String(error)}`));
    // With the PostgreSQL event store, the store owns the SQL client and has closed it already.
    await this.sql.close().catch(() => undefined);
  }
}

@Global()
@Module({})
export class EventStoreModule {
  /**
   * Provides the opened stores to the whole app and closes them on shutdown. `sealing` is the
   * store the app records and reads through (personal fields sealed on the way in, opened on the
   * way out); the opened store itself is `RAW_EVENT_STORE`.
   */
  static forStores(config: LedgerConfig, stores: OpenedStores, sealing: EventStore = stores.eventStore): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        { provide: EVENT_STORE, useValue: sealing },
        { provide: RAW_EVENT_STORE, useValue: stores.eventStore },
        { provide: PRIVACY_SCHEMA, useValue: stores.schema ?? config.postgresSchema },
        { provide: SQL_CLIENT, useValue: stores.sql },
        { provide: STORE_DESCRIPTION, useValue: stores.description },
        StoreLifecycle,
      ],
      exports: [LEDGER_CONFIG, EVENT_STORE, RAW_EVENT_STORE, PRIVACY_SCHEMA, SQL_CLIENT, STORE_DESCRIPTION],
    };
  }
}

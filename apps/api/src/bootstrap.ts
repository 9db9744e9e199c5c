import 'reflect-metadata';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { LedgerConfig } from '@ledger/config';
import { familyPersonalData } from '@ledger/domain';
import { KeyVault, openStores, type OpenedStores, PersonalDataCipher, PersonalDataEventStore, resolveMasterKey, storeHoldsData } from '@ledger/event-store';
import { AppModule, type AppOptions } from './app.module';
import { serveWebApp } from './http/web-app';

export interface BuiltApp {
  app: INestApplication;
  stores: OpenedStores;
}

/**
 * Builds the api app on the configured stores (or on stores a test opened), with Swagger at
 * `/api/docs` and the OpenAPI document at `/api/docs-json`. Does not listen.
 */
export async function buildApp(config: LedgerConfig, options: { stores?: OpenedStores; logger?: false | LoggerService } & AppOptions = {}): Promise<BuiltApp> {
  const stores = options.stores ?? (await openStores(config));
  let privacy: Awaited<ReturnType<typeof openPersonalData>>;
  try {
    privacy = await openPersonalData(config, stores);
  } catch (error) {
    // A refused start (a missing or wrong master key) lets go of the stores it opened, and with
    // them the embedded directory's lock, so a corrected start in the same process can follow.
    if (!options.stores) {
      await stores.eventStore.close().catch(() => undefined);
      await stores.sql.close().catch(() => undefined);
    }
    throw error;
  }
  const app = await NestFactory.create(AppModule.forRoot(config, stores, privacy, { clock: options.clock }), {
    logger: options.logger === false ? false : (options.logger ?? ['log', 'warn', 'error']),
    abortOnError: false,
  });
  app.enableShutdownHooks();
  // Behind reverse proxies, the client's address (sign-in throttling per address) comes from X-Forwarded-For.
  if (config.trustProxy !== undefined) (app.getHttpAdapter().getInstance() as { set(name: string, value: unknown): void }).set('trust proxy', config.trustProxy);
  serveWebApp(app);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Family outcomes and payment-by-results ledger')
      .setDescription('Records family events, evaluates outcomes and computes payment-by-results claims. See docs/api.md.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return { app, stores };
}

/**
 * The key vault (person keys wrapped by LEDGER_MASTER_KEY, or by a key file in embedded mode)
 * and the store every command and read goes through: personal fields are sealed per person
 * before they reach any store, EventStoreDB included (ARCHITECTURE.md "Privacy").
 */
export async function openPersonalData(config: LedgerConfig, stores: OpenedStores) {
  const embedded = !config.postgresUrl;
  const schema = stores.schema ?? config.postgresSchema;
  // DOMAIN.md 6 / issue 15.6: a store already in use never gets a new key file in place of a lost one.
  const storeInUse = embedded && (config.masterKey ?? '').trim() === '' ? await storeHoldsData(stores.sql, schema) : false;
  const masterKey = resolveMasterKey({ masterKey: config.masterKey, dataDir: config.dataDir, embedded, storeHoldsData: storeInUse });
  const vault = await KeyVault.open(stores.sql, { schema, masterKey });
  const cipher = new PersonalDataCipher(vault, familyPersonalData);
  return { vault, cipher, sealing: new PersonalDataEventStore(stores.eventStore, cipher) };
}

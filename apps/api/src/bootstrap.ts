import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { LedgerConfig } from '@ledger/config';
import { openStores, type OpenedStores } from '@ledger/event-store';
import { AppModule, type AppOptions } from './app.module';

export interface BuiltApp {
  app: INestApplication;
  stores: OpenedStores;
}

/**
 * Builds the api app on the configured stores (or on stores a test opened), with Swagger at
 * `/api/docs` and the OpenAPI document at `/api/docs-json`. Does not listen.
 */
export async function buildApp(config: LedgerConfig, options: { stores?: OpenedStores; logger?: false } & AppOptions = {}): Promise<BuiltApp> {
  const stores = options.stores ?? (await openStores(config));
  const app = await NestFactory.create(AppModule.forRoot(config, stores, { clock: options.clock }), {
    logger: options.logger === false ? false : ['log', 'warn', 'error'],
    abortOnError: false,
  });
  app.enableShutdownHooks();
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

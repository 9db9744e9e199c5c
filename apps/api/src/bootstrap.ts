import 'reflect-metadata';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { LedgerConfig } from '@ledger/config';
import { openStores, type OpenedStores } from '@ledger/event-store';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule, type AppOptions } from './app.module';
import { serveWebApp } from './http/web-app';
import { type PersonalDataParts, openPersonalData } from '@ledger/privacy';

export interface BuiltApp {
  app: INestApplication;
  stores: OpenedStores;
}

/**
 * Builds the api app on the configured stores (or on stores a test opened), with security headers
 * and, when `LEDGER_API_DOCS` is on, Swagger at `/api/docs` and the OpenAPI document at
 * `/api/docs-json`. Does not listen.
 */
export async function buildApp(config: LedgerConfig, options: { stores?: OpenedStores; logger?: false | LoggerService } & AppOptions = {}): Promise<BuiltApp> {
  const stores = options.stores ?? (await openStores(config));
  let privacy: PersonalDataParts;
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
  // No logger given: every line, the app's own and one per request, is JSON from nestjs-pino.
  // `false` silences both (unless a test asks for the request logs with `log`).
  const log = options.logger === false && options.log === undefined ? { level: 'silent' as const } : options.log;
  const app = await NestFactory.create(AppModule.forRoot(config, stores, privacy, { clock: options.clock, log }), {
    logger: options.logger === false ? false : options.logger,
    bufferLogs: options.logger === undefined,
    abortOnError: false,
  });
  if (options.logger === undefined) app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
  // Behind reverse proxies, the client's address (sign-in throttling per address) comes from X-Forwarded-For.
  if (config.trustProxy !== undefined) (app.getHttpAdapter().getInstance() as { set(name: string, value: unknown): void }).set('trust proxy', config.trustProxy);
  secureHttp(app);
  serveWebApp(app);
  if (config.apiDocs) serveApiDocs(app);
  return { app, stores };
}

/**
 * Issue 16.9, on every answer: helmet's headers (no `X-Powered-By`, `nosniff`, no framing by any
 * page, a content security policy of this origin only), HSTS only where the request came over TLS
 * (directly or through a proxy that says so: a plain-HTTP embedded install must stay reachable),
 * and `Cache-Control: no-store` on everything under `/api`: families, histories, claims, the
 * ledger, reports and exports all carry personal data or money, and none may sit in a browser's
 * or a proxy's cache.
 */
function secureHttp(app: INestApplication): void {
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { frameAncestors: ["'none'"], upgradeInsecureRequests: null } },
      frameguard: { action: 'deny' },
      strictTransportSecurity: false,
    }),
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.secure || req.headers['x-forwarded-proto'] === 'https') res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    if (req.path.startsWith('/api/') || req.path === '/api') res.setHeader('Cache-Control', 'no-store');
    next();
  });
}

/** Swagger UI at `/api/docs` and the OpenAPI document at `/api/docs-json` (`LEDGER_API_DOCS`). */
function serveApiDocs(app: INestApplication): void {
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
}

import 'reflect-metadata';
import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import multipart from '@fastify/multipart';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LedgerConfig } from '@ledger/config';
import { openStores, type OpenedStores } from '@ledger/event-store';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule, type AppOptions } from './app.module';
import { serveWebApp } from './http/web-app';
import { markRoute } from './http/http';
import { IMPORT_MAX_BYTES } from './imports/imports.controller';
import { type PersonalDataParts, openPersonalData } from '@ledger/privacy';

/** A JSON body is at most this big (what Express's body parser allowed before, issue 22.1). */
export const JSON_BODY_LIMIT_BYTES = 100 * 1024;

export interface BuiltApp {
  app: NestFastifyApplication;
  stores: OpenedStores;
}

/**
 * Builds the api app on the configured stores (or on stores a test opened), with security headers
 * and, when `LEDGER_API_DOCS` is on, Swagger at `/api/docs` and the OpenAPI document at
 * `/api/docs-json`. On Fastify (issue 22.1). Initialised and ready (so supertest can speak to
 * `app.getHttpServer()`), but not listening.
 */
export async function buildApp(config: LedgerConfig, options: { stores?: OpenedStores; logger?: false | LoggerService; shutdownGraceMs?: number } & AppOptions = {}): Promise<BuiltApp> {
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
  const adapter = new FastifyAdapter({
    // Behind reverse proxies, the client's address (sign-in throttling per address) comes from
    // X-Forwarded-For, and whether it came over TLS from X-Forwarded-Proto.
    ...(config.trustProxy !== undefined ? { trustProxy: trustProxyOf(config.trustProxy) } : {}),
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    // JSON as JSON.parse reads it (as under Express): a `__proto__` or `constructor` key is then an
    // own field, which the validation pipe refuses with a 400 naming it, wherever it is. (Fastify's
    // default refuses it as "not valid JSON", naming nothing.)
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    // Our own id for every request (logged by pino-http, sent back as X-Request-Id), never the client's.
    genReqId: () => randomUUID(),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, stores, privacy, { clock: options.clock, log }), adapter, {
    logger: options.logger === false ? false : options.logger,
    bufferLogs: options.logger === undefined,
    abortOnError: false,
  });
  if (options.logger === undefined) app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
  secureHttp(app);
  // Partner files (POST /api/imports/:source): each handler reads its one file itself.
  await app.register(multipart, { limits: { fileSize: IMPORT_MAX_BYTES, files: 1 } });
  serveWebApp(app);
  if (config.apiDocs) serveApiDocs(app);
  boundStop(app, options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, stores };
}

/**
 * `LEDGER_TRUST_PROXY` as Express took it: a list of proxy addresses, or a number of hops, each
 * of which is trusted whatever its address (Fastify itself trusts no hop given a bare number).
 */
function trustProxyOf(trust: number | string): string | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

/** How long a stop waits for answers still in flight before it cuts their connections. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * A stop (SIGTERM, `app.close()`) stops taking connections and closes the idle ones at once, then
 * waits for the answers in flight, but only for `graceMs`: a client that never finishes sending
 * its request, or never reads its answer, has its connection cut then, so it cannot hold the stop
 * (and a redeployment) up. A command cut short was recorded or not; its retry is idempotent.
 */
function boundStop(app: NestFastifyApplication, graceMs: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('preClose', (done) => {
    setTimeout(() => fastify.server.closeAllConnections(), graceMs).unref();
    done();
  });
}

/**
 * Issue 16.9, on every answer: helmet's headers (no `X-Powered-By`, `nosniff`, no framing by any
 * page, a content security policy of this origin only), HSTS only where the request came over TLS
 * (directly or through a proxy that says so: a plain-HTTP embedded install must stay reachable),
 * and `Cache-Control: no-store` on everything under `/api`: families, histories, claims, the
 * ledger, reports and exports all carry personal data or money, and none may sit in a browser's
 * or a proxy's cache.
 */
function secureHttp(app: NestFastifyApplication): void {
  // helmet's own middleware, made once, on Node's response in Fastify's first hook: every answer
  // (a 404, a static file, the live stream) carries its headers. (@fastify/helmet would build
  // helmet's middleware again for every request.)
  const headers = helmet({
    contentSecurityPolicy: { directives: { frameAncestors: ["'none'"], upgradeInsecureRequests: null } },
    frameguard: { action: 'deny' },
    strictTransportSecurity: false,
  }) as (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      markRoute(request);
      reply.raw.setHeader('X-Request-Id', request.id);
      headers(request.raw, reply.raw, (error?: unknown) => {
        if (error) return done(error as Error);
        if (request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https') reply.raw.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
        const url = request.url;
        if (url.startsWith('/api/') || url === '/api' || url.startsWith('/api?')) reply.raw.setHeader('Cache-Control', 'no-store');
        done();
      });
    });
}

/** Swagger UI at `/api/docs` and the OpenAPI document at `/api/docs-json` (`LEDGER_API_DOCS`). */
function serveApiDocs(app: NestFastifyApplication): void {
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

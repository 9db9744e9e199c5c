import { type DynamicModule, RequestMethod } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { LogLevel } from '@ledger/config';
import { actorOf } from '../auth/actor';
import { pathOf, routePatternOf } from '../http/http';

export interface LoggingOptions {
  level: LogLevel;
  /** Where the JSON lines go (default standard output); tests pass a stream they read back. */
  destination?: DestinationStream;
}

/**
 * Headers that can carry personal data or a credential (a token, a session, a legal basis or a
 * purpose typed about a person, a correlation id a partner's system may build from a name):
 * logged as `[redacted]` when sent, never their value.
 */
export const REDACTED_HEADERS = ['authorization', 'cookie', 'x-legal-basis', 'x-access-purpose', 'x-correlation-id', 'idempotency-key', 'x-forwarded-for', 'referer'] as const;
/** Headers logged as sent: none of them says anything about a person. */
const LOGGED_HEADERS = ['host', 'user-agent', 'content-type', 'content-length', 'accept', 'if-match'] as const;

/**
 * Structured JSON logs (issue 14.7, ARCHITECTURE.md "Observability") with nestjs-pino: one line
 * per request with its id (also sent back as `X-Request-Id`), user id, route pattern, status and
 * duration; the app's own log lines carry the request id of the request they belong to. Bodies,
 * query strings and response headers are never logged, and the headers above are redacted.
 *
 * nestjs-pino keeps one pino-http instance per process, made by the first app built: a process
 * runs one api, but a test file that builds several apps gets the first one's level and
 * destination for all of them.
 */
export function loggingModule(options: LoggingOptions): DynamicModule {
  const redactPaths = REDACTED_HEADERS.map((h) => `req.headers[${JSON.stringify(h)}]`);
  return LoggerModule.forRoot({
    // Every path, in the pattern @fastify/middie matches (nestjs-pino's own default, `{/*splat}`, it does not).
    forRoutes: [{ path: '*splat', method: RequestMethod.ALL }],
    pinoHttp: [
      {
        level: options.level,
        messageKey: 'message',
        base: { service: 'ledger-api' },
        timestamp: () => `,"time":"${new Date().toISOString()}"`,
        formatters: { level: (label: string) => ({ level: label }) },
        redact: { paths: redactPaths, censor: '[redacted]' },
        // Fastify gives every request its id first (see buildApp); this is for a request without one.
        genReqId: (_req: IncomingMessage, res: ServerResponse) => requestId(res),
        serializers: {
          req: (req: { id: unknown; method: string; url: string; originalUrl?: string; headers: Record<string, unknown> }) => ({
            id: req.id,
            method: req.method,
            // The path only: ids in it are pseudonymous; query strings are left out.
            path: pathOf(req),
            headers: Object.fromEntries(Object.entries(req.headers).filter(([name]) => (LOGGED_HEADERS as readonly string[]).includes(name) || (REDACTED_HEADERS as readonly string[]).includes(name))),
          }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          err: (err: { type?: string; name?: string }) => ({ type: err.type ?? err.name ?? 'Error' }),
        },
        customAttributeKeys: { responseTime: 'durationMs' },
        customSuccessObject: (req: IncomingMessage, res: ServerResponse, value: Record<string, unknown>) => ({ ...value, ...requestFacts(req, res) }),
        customErrorObject: (req: IncomingMessage, res: ServerResponse, _error: Error, value: Record<string, unknown>) => ({ ...value, ...requestFacts(req, res) }),
        customSuccessMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${routeOfRequest(req)} ${res.statusCode}`,
        customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${routeOfRequest(req)} ${res.statusCode}`,
        customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
        quietReqLogger: true,
      },
      options.destination ?? process.stdout,
    ],
  });
}

/**
 * Our own id for a request, sent back as `X-Request-Id` (a client's X-Request-Id could carry
 * anything, so it is never taken). Under Fastify the request comes with one (`buildApp`), which
 * pino-http takes.
 */
function requestId(res: ServerResponse): string {
  const id = randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

function requestFacts(req: IncomingMessage, res: ServerResponse): { userId: string; role: string; route: string; status: number } {
  const actor = actorOf(req);
  return { userId: actor.userId, role: actor.role, route: routeOfRequest(req), status: res.statusCode };
}

/** The route pattern (`/api/families/:familyId`), or `unmatched` for a path no route serves. */
function routeOfRequest(req: IncomingMessage): string {
  return routePatternOf(req) ?? 'unmatched';
}

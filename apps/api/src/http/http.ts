import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';

/** A request as the api's handlers, guards, pipes and interceptors see it (Fastify's). */
export type Request = FastifyRequest;
/** An answer as the api's handlers, interceptors and filters write it (Fastify's reply). */
export type Response = FastifyReply;

const ROUTE = Symbol('route');

/** The request's path without its query string. */
export function pathOf(req: { url?: string; originalUrl?: string }): string {
  const url = req.originalUrl ?? req.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/**
 * The Node request under a Fastify request (middleware, pino-http and the Fastify request share
 * it): what the actor and the route pattern are kept on.
 */
export function rawOf(req: Request | IncomingMessage): IncomingMessage {
  return (req as { raw?: IncomingMessage }).raw ?? (req as IncomingMessage);
}

/** Keeps the route pattern Fastify matched on the Node request, for what sees only that (logs, metrics). */
export function markRoute(req: Request): void {
  const route = req.is404 ? undefined : req.routeOptions.url;
  if (route !== undefined) (req.raw as unknown as { [ROUTE]?: string })[ROUTE] = route;
}

/** The route pattern (`/api/families/:familyId`), or undefined for a path no route serves. */
export function routePatternOf(req: Request | IncomingMessage): string | undefined {
  return (rawOf(req) as unknown as { [ROUTE]?: string })[ROUTE];
}

/** Whether the request came over TLS, directly or through a trusted proxy that says so. */
export function isSecure(req: Request): boolean {
  return req.protocol === 'https';
}

/** The options of a cookie this api sets. */
export interface CookieOptions {
  httpOnly: boolean;
  sameSite: 'strict';
  secure: boolean;
  path: string;
  /** Milliseconds; a cookie with none is a session cookie. */
  maxAge?: number;
  expires?: Date;
}

/** Adds a `Set-Cookie` (the value URI-encoded, `Max-Age` and `Expires` both, as Express wrote them). */
export function setCookie(res: Response, name: string, value: string, options: CookieOptions): void {
  const parts = [`${name}=${encodeURIComponent(value)}`];
  if (options.maxAge !== undefined) {
    parts.push(`Max-Age=${Math.floor(options.maxAge / 1000)}`);
    parts.push(`Expires=${new Date(Date.now() + options.maxAge).toUTCString()}`);
  } else if (options.expires !== undefined) parts.push(`Expires=${options.expires.toUTCString()}`);
  parts.push(`Path=${options.path}`);
  if (options.httpOnly) parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  parts.push('SameSite=Strict');
  // Fastify adds a Set-Cookie to those the reply has.
  res.header('set-cookie', parts.join('; '));
}

/** Clears a cookie set with `options` (an empty value that expired in 1970). */
export function clearCookie(res: Response, name: string, options: Omit<CookieOptions, 'maxAge' | 'expires'>): void {
  setCookie(res, name, '', { ...options, expires: new Date(0) });
}

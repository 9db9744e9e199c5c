import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setActor } from './actor';
import { AuthService, errorName } from '@ledger/application';

/**
 * Turns `Authorization: Bearer …` into the request's actor. A token that is malformed, forged or
 * expired is a 401; a request without one acts anonymously (role enforcement per endpoint is the
 * privacy work's role matrix).
 */
@Injectable()
export class ActorMiddleware implements NestMiddleware {
  constructor(private readonly auth: AuthService) {}

  async use(req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> {
    const header = req.headers.authorization;
    if (header === undefined) return next();
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const actor = token !== undefined ? await this.auth.verify(token) : null;
    if (!actor) {
      // Nest middleware runs on Node's request and response under Fastify (@fastify/middie).
      res.statusCode = 401;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ statusCode: 401, error: errorName(401), message: 'the bearer token is invalid or has expired; sign in again', reason: 'InvalidToken' }));
      return;
    }
    setActor(req, actor);
    next();
  }
}

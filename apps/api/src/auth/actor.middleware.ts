import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
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

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const header = req.headers.authorization;
    if (header === undefined) return next();
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const actor = token !== undefined ? await this.auth.verify(token) : null;
    if (!actor) {
      res.status(401).json({ statusCode: 401, error: errorName(401), message: 'the bearer token is invalid or has expired; sign in again', reason: 'InvalidToken' });
      return;
    }
    setActor(req, actor);
    next();
  }
}

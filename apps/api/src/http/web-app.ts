import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Paths that belong to the api, never to the web app's pages. */
const API_PATHS = /^\/(api|health|metrics)(\/|$)/;

/**
 * The web app's files: dist/web beside the compiled api (npm start), or the repository's dist/web
 * when the api runs from its sources (tests).
 */
export function webAppDir(): string | null {
  const candidates = [join(__dirname, '..', '..', '..', '..', 'web'), join(__dirname, '..', '..', '..', '..', 'dist', 'web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/**
 * Serves the web app at `/` (ARCHITECTURE.md "The web app"): its built files, and index.html for
 * any other page path (the app routes in the browser). `/api`, `/health` and `/metrics` are left to
 * the api, so an unknown API path is still a JSON 404. Registered before the api's routes.
 */
export function serveWebApp(app: INestApplication, dir = webAppDir()): void {
  const express = app as NestExpressApplication;
  if (dir === null) {
    express.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' || req.path !== '/') return next();
      res.type('text/plain').send('The web app is not built: run `npm run build` (npm start builds it too). The API is at /api/docs.\n');
    });
    return;
  }
  // Hashed file names: cached for a year. index.html: always asked again, so a new build shows at once.
  express.useStaticAssets(join(dir, 'assets'), { prefix: '/assets/', immutable: true, maxAge: '365d', index: false });
  const index = join(dir, 'index.html');
  express.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || API_PATHS.test(req.path) || /\.[a-z0-9]+$/i.test(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
